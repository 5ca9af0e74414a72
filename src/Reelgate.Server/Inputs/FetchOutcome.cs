namespace Reelgate.Server.Inputs;

/// <summary>
/// What fetching or reading one media input came to: done (the bytes are in the destination
/// file), or a problem phrase that reads after the input's name, e.g. <c>could not be fetched
/// (HTTP 404)</c> or <c>is larger than 30 MiB</c>; the destination is then deleted.
/// </summary>
public sealed record FetchOutcome(string? Problem)
{
    public static readonly FetchOutcome Done = new((string?)null);

    public bool Ok => Problem is null;

    public static FetchOutcome Refused(string problem) => new(problem);

    /// <summary>The phrase for a file past its kind's limit (<see cref="Core.Media.MediaLimits.MaxBytes"/>).</summary>
    public static FetchOutcome TooLarge(long maxBytes) => new($"is larger than {maxBytes / (1024 * 1024)} MiB");
}
