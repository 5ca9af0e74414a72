namespace Reelgate.Engines.Upstream;

/// <summary>
/// What an upstream engine needs (the server maps <c>Reelgate:Engines:{name}</c> onto it).
/// <see cref="CallbackUrl"/>: where the upstream may call back (a signed Reelgate hook) to wake
/// the poll early; null: polling only.
/// </summary>
public sealed record UpstreamEngineSettings(
    string Name,
    Uri BaseUrl,
    string ApiKey,
    string Model,
    TimeSpan PollInitial,
    TimeSpan PollMax,
    int CreateTries,
    TimeSpan RequestTimeout,
    bool Watermark = false,
    string FfmpegPath = "/usr/bin/ffmpeg",
    Uri? CallbackUrl = null)
{
    /// <summary>Never print the key (records print every property by default).</summary>
    public override string ToString() => $"{Name} at {BaseUrl} (model {Model})";
}
