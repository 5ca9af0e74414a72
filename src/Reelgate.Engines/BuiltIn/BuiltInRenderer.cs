using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Tasks;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The built-in engine: a procedural PREVIEW renderer, not AI. It turns the prompt and seed into
/// moving gradients, a caption and an ambient tone with Debian's ffmpeg, producing an MP4 of
/// exactly the model's size, frame rate and frame count. Same spec, same bytes (bitexact flags,
/// fixed thread count, every source bounded by its own duration, no -shortest).
/// </summary>
public sealed partial class BuiltInRenderer(BuiltInRendererOptions options, ILogger<BuiltInRenderer> log) : IVideoEngine
{
    private EngineHealth? _health;

    public string Name => "builtin";

    public EngineHealth CheckHealth()
    {
        if (_health is { } cached)
        {
            return cached;
        }

        if (!File.Exists(options.FfmpegPath))
        {
            return _health = new EngineHealth(false, MissingMessage);
        }

        try
        {
            using var p = Process.Start(new ProcessStartInfo(options.FfmpegPath, ["-hide_banner", "-version"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var first = p.StandardOutput.ReadLine() ?? "";
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return _health = p.ExitCode == 0 ? new EngineHealth(true, first) : new EngineHealth(false, $"ffmpeg -version exited with {p.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return _health = new EngineHealth(false, $"ffmpeg could not run: {e.Message}");
        }
    }

    private string MissingMessage => $"ffmpeg not found at {options.FfmpegPath}: install it with 'apt-get install ffmpeg' (or scripts/install-deps.sh)";

    public async Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct)
    {
        if (!File.Exists(options.FfmpegPath))
        {
            return EngineResult.Failure(FailCodes.GenerationFailed, MissingMessage);
        }

        var captionFile = job.OutputPath + ".caption.txt";
        var partial = job.OutputPath + ".part.mp4";
        try
        {
            var withCaption = File.Exists(options.FontPath);
            if (withCaption)
            {
                await File.WriteAllTextAsync(captionFile, Caption(job.Spec), ct);
            }

            var args = Arguments(job.Spec, partial, withCaption ? captionFile : null);
            var (exit, error) = await RunAsync(args, job.Spec.FrameCount, progress, ct);
            if (exit != 0)
            {
                LogFailed(job.TaskId, exit);
                return EngineResult.Failure(FailCodes.GenerationFailed, "ffmpeg failed: " + error);
            }

            File.Move(partial, job.OutputPath, overwrite: true);
            progress.Report(100);
            return EngineResult.Success();
        }
        finally
        {
            File.Delete(captionFile);
            File.Delete(partial);
        }
    }

    private List<string> Arguments(GenerationSpec s, string output, string? captionFile)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"{s.Prompt}\n{s.Seed}"));
        string Color(int i) => $"0x{h[i]:x2}{h[i + 1]:x2}{h[i + 2]:x2}";
        var d = s.DurationSeconds.ToString(CultureInfo.InvariantCulture);
        var seed = BitConverter.ToUInt32(h, 20);
        var speed = (0.01 + (h[24] / 255.0 * 0.04)).ToString("0.000", CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats",
            "-f", "lavfi", "-i",
            $"gradients=s={s.Width}x{s.Height}:r={s.Fps}:d={d}:c0={Color(0)}:c1={Color(3)}:c2={Color(6)}:c3={Color(9)}:nb_colors=4:seed={seed}:speed={speed}",
        };
        var video = "[0:v]";
        var filter = new StringBuilder();
        if (captionFile is not null)
        {
            var fontSize = Math.Max(12, Math.Min(s.Width, s.Height) / 18);
            filter.Append(CultureInfo.InvariantCulture, $"{video}drawtext=fontfile={options.FontPath}:textfile={captionFile}:fontsize={fontSize}:fontcolor=white:line_spacing={fontSize / 3}:box=1:boxcolor=black@0.45:boxborderw={fontSize / 2}:x=(w-text_w)/2:y=h-text_h-h/10,");
        }
        else
        {
            filter.Append(video);
        }

        filter.Append("format=yuv420p[v]");
        if (s.Audio)
        {
            var f1 = 110 + (h[13] % 120);
            var f2 = f1 * 3 / 2;
            args.AddRange(["-f", "lavfi", "-i", $"sine=f={f1}:r=48000:d={d}", "-f", "lavfi", "-i", $"sine=f={f2}:r=48000:d={d}", "-f", "lavfi", "-i", $"anoisesrc=d={d}:c=pink:r=48000:a=0.05:seed={seed}"]);
            filter.Append(";[1:a][2:a][3:a]amix=inputs=3:duration=longest,volume=0.6[a]");
        }

        args.AddRange(["-filter_complex", filter.ToString(), "-map", "[v]"]);
        if (s.Audio)
        {
            args.AddRange(["-map", "[a]", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"]);
        }

        args.AddRange([
            "-c:v", "libx264", "-preset", options.Preset, "-threads", options.Threads.ToString(CultureInfo.InvariantCulture),
            // No -frames:v: it would end the mux when the video is done and cut the audio short.
            // Every source is bounded by its own d=, so the frame count is exactly fps x duration.
            "-pix_fmt", "yuv420p", "-r", s.Fps.ToString(CultureInfo.InvariantCulture),
            "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-map_metadata", "-1", "-metadata", "title=Reelgate built-in procedural preview (not AI output)",
            "-f", "mp4", output,
        ]);
        return args;
    }

    /// <summary>The prompt wrapped to the frame's width, at most six lines (ellipsis past that).</summary>
    private static string Caption(GenerationSpec s)
    {
        var fontSize = Math.Max(12, Math.Min(s.Width, s.Height) / 18);
        var perLine = Math.Max(8, (int)(s.Width * 0.85 / (fontSize * 0.6)));
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in s.Prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var w = word.Length > perLine ? word[..(perLine - 1)] + "…" : word;
            if (line.Length > 0 && line.Length + 1 + w.Length > perLine)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(w);
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        if (lines.Count > 6)
        {
            lines = lines.Take(6).ToList();
            lines[5] = lines[5].Length + 1 > perLine ? lines[5][..(perLine - 1)] + "…" : lines[5] + "…";
        }

        // drawtext expands % sequences in text files; a literal percent must be doubled.
        return string.Join('\n', lines).Replace("%", "%%", StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Error)> RunAsync(List<string> args, int frames, IProgress<int> progress, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(options.FfmpegPath, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            var last = 0;
            while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("frame=", StringComparison.Ordinal) && int.TryParse(line.AsSpan(6), out var frame) && frames > 0)
                {
                    var pct = Math.Min(99, frame * 100 / frames);
                    if (pct > last)
                    {
                        last = pct;
                        progress.Report(pct);
                    }
                }
            }

            await p.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            await p.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        var error = (await stderr).Trim();
        var lastLines = string.Join(" | ", error.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2));
        return (p.ExitCode, lastLines.Length > 300 ? lastLines[..300] : lastLines);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: ffmpeg exited with {Exit}")]
    private partial void LogFailed(string taskId, int exit);
}
