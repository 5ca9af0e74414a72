namespace Reelgate.Engines.Ffmpeg;

/// <summary>
/// Cuts a finished MP4's last frame into a PNG with ffmpeg: the worker's fallback when an engine
/// was asked for the last frame and did not deliver it (an upstream whose <c>last_frame_url</c>
/// was missing or broken), so <c>lastFrameUrl</c> always names a file. Reads only the last second
/// (<c>-sseof -1</c>) and keeps overwriting one image until the stream ends.
/// </summary>
public static class LastFrameExtractor
{
    private static readonly FfmpegRun Run = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>True when <paramref name="png"/> now holds the last frame; a failed run leaves no file.</summary>
    public static async Task<bool> ExtractAsync(string ffmpegPath, string video, string png, CancellationToken ct)
    {
        var partial = png + ".part.png";
        try
        {
            var exit = await FfmpegProcess.RunAsync(
                ffmpegPath,
                ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-sseof", "-1", "-i", video, "-map", "0:v:0", "-update", "1", "-f", "image2", "-c:v", "png", partial],
                Run,
                ct);
            if (exit.ExitCode != 0 || !File.Exists(partial))
            {
                return false;
            }

            File.Move(partial, png, overwrite: true);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
