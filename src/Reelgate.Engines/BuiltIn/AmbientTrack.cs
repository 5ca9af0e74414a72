using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The procedural soundtrack: a chord of three sines and a noise bed chosen by the prompt's
/// mood (<see cref="AudioMood"/>), each lavfi source bounded by the duration, mixed, pulsed and
/// faded in and out.
/// </summary>
internal static class AmbientTrack
{
    /// <summary>Adds the four lavfi inputs; the graph then reads them from <paramref name="first"/> on.</summary>
    public static void AddInputs(List<string> args, GenerationSpec s, PromptStyle style)
    {
        var d = I(s.DurationSeconds);
        var m = style.Mood;
        args.AddRange([
            "-f", "lavfi", "-i", $"sine=f={F(m.RootHz)}:r=48000:d={d}",
            "-f", "lavfi", "-i", $"sine=f={F(m.ThirdHz)}:r=48000:d={d}",
            "-f", "lavfi", "-i", $"sine=f={F(m.FifthHz)}:r=48000:d={d}",
            "-f", "lavfi", "-i", $"anoisesrc=d={d}:c={m.NoiseColor}:r=48000:a={F(m.NoiseLevel)}:seed={style.SourceSeed % int.MaxValue}",
        ]);
    }

    /// <summary>The graph chain (starting with ';') that mixes the inputs at <paramref name="first"/>..first+3 into [a].</summary>
    public static string Graph(GenerationSpec s, PromptStyle style, int first)
    {
        var m = style.Mood;
        return $";[{first}:a][{first + 1}:a][{first + 2}:a][{first + 3}:a]amix=inputs=4:duration=longest:weights=1 0.6 0.7 1,tremolo=f={F(m.PulseHz)}:d=0.4,afade=t=in:d=0.5,afade=t=out:st={F(Math.Max(0, s.DurationSeconds - 0.5))}:d=0.5,volume=0.8[a]";
    }

    /// <summary>A client's audio as the soundtrack: resampled to 48 kHz stereo, padded or cut to the duration, faded in and out.</summary>
    public static string ReferenceGraph(GenerationSpec s, int input)
    {
        var d = I(s.DurationSeconds);
        return $";[{input}:a]aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad=whole_dur={d},atrim=end={d},asetpts=N/SR/TB" +
            $",afade=t=in:d=0.5,afade=t=out:st={F(Math.Max(0, s.DurationSeconds - 0.5))}:d=0.5[a]";
    }
}
