using System.Text;
using Reelgate.Core.Catalog;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// Which audio a media render gets: the client's reference audio when there is one (it replaces
/// the procedural tone), else the procedural tone when the spec asks for audio, else none.
/// </summary>
internal static class Soundtrack
{
    /// <summary>Adds the inputs (from index <paramref name="nextInput"/>) and the [a] chain; true when there is audio.</summary>
    public static bool Add(List<string> args, StringBuilder graph, GenerationSpec s, PromptStyle style, string? referenceAudio, int nextInput)
    {
        if (referenceAudio is not null)
        {
            // -t bounds the file input by the duration; apad and atrim then make it exactly that long.
            args.AddRange(["-t", FilterText.I(s.DurationSeconds), "-i", referenceAudio]);
            graph.Append(AmbientTrack.ReferenceGraph(s, nextInput));
            return true;
        }

        if (!s.Audio)
        {
            return false;
        }

        AmbientTrack.AddInputs(args, s, style);
        graph.Append(AmbientTrack.Graph(s, style, nextInput));
        return true;
    }
}
