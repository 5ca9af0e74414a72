namespace Reelgate.Engines.Ffmpeg;

/// <summary>
/// How one ffmpeg or ffprobe run is watched: <see cref="Progress"/> turns the <c>frame=</c>
/// lines of <c>-progress pipe:1</c> into 0-99 against <see cref="ProgressFrames"/>;
/// <see cref="Timeout"/> kills a run that hangs; <see cref="CaptureOutput"/> keeps standard
/// output (ffprobe's answer, <c>-version</c>) instead of discarding it.
/// </summary>
public sealed record FfmpegRun
{
    public static readonly FfmpegRun Default = new();

    public IProgress<int>? Progress { get; init; }

    public int ProgressFrames { get; init; }

    public TimeSpan? Timeout { get; init; }

    public bool CaptureOutput { get; init; }
}
