namespace Reelgate.Engines.Ffmpeg;

/// <summary>
/// How a run ended: the exit code (-1 when it was killed for its timeout), the last lines of
/// standard error (short enough for a task's fail message), and standard output when it was
/// asked for.
/// </summary>
public sealed record FfmpegExit(int ExitCode, string ErrorTail, string Output, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>The first line of standard output (ffmpeg -version's banner).</summary>
    public string FirstLine => Output.Split('\n', 2)[0].TrimEnd('\r');
}
