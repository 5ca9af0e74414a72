namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// One emulated task as it stands, for tests that look behind the HTTP API (e.g. to see that a
/// task exists upstream although the caller's create was dropped). <see cref="Status"/> is the
/// wire value: queued, running, succeeded, failed, cancelled or expired.
/// </summary>
public sealed record ArkTaskSnapshot(
    string Id,
    string Model,
    string Status,
    string Prompt,
    string Ratio,
    string Resolution,
    int Duration,
    long Seed,
    bool GenerateAudio,
    string? CallbackUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? VideoUrl,
    string? ErrorCode,
    string? ErrorMessage)
{
    /// <summary>The create's content items as received, in order (the text item included), with the role each one plays.</summary>
    public IReadOnlyList<ArkContentItem> Content { get; init; } = [];

    /// <summary>The create asked for <c>return_last_frame</c>.</summary>
    public bool ReturnLastFrame { get; init; }

    /// <summary>The served last frame PNG, once succeeded with <see cref="ReturnLastFrame"/>.</summary>
    public string? LastFrameUrl { get; init; }
}
