namespace Reelgate.Client;

/// <summary>Settings of a <see cref="ReelgateClient"/>.</summary>
public sealed class ReelgateClientOptions
{
    /// <summary>
    /// The platform's base URL, e.g. <c>http://127.0.0.1:8080</c>. Any platform of the jobs-API
    /// family works (the paths <c>/api/v1/jobs/createTask</c>, <c>/api/v1/jobs/recordInfo</c>, ...
    /// are appended to it).
    /// </summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:8080");

    /// <summary>The API key, sent as <c>Authorization: Bearer</c> to the base URL's origin only (never to a download host).</summary>
    public string? ApiKey { get; set; }

    /// <summary>How many times a request is retried after a 429, a network error or a 5xx (where retrying is safe). Default 4.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First back-off delay for network errors and 5xx; it doubles per try, with jitter. Default 500 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest <c>Retry-After</c> the client waits out; a longer one is returned as <see cref="ReelgateRateLimitException"/>. Default 60 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First polling interval of <see cref="ReelgateClient.WaitAsync"/> when the server has no event stream. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The polling interval grows by half per poll up to this. Default 10 s.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Use the server-sent event stream (<c>/api/v1/jobs/events</c>) when the server has one. Default true.</summary>
    public bool UseEventStream { get; set; } = true;
}
