using Reelgate.Core.Limits;

namespace Reelgate.Server.Options;

/// <summary>
/// Configuration section <c>Reelgate</c> (environment <c>Reelgate__Key</c>). Every key has a
/// working default; see docs/configuration.md.
/// </summary>
public sealed class ReelgateOptions
{
    public const string Section = "Reelgate";

    /// <summary>SQLite database, result files, admin.key and url-signing.key live here.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Where local result files live; default &lt;data dir&gt;/results. On several nodes without S3,
    /// point every node at one shared volume (NFS or similar) so API nodes serve what workers made.
    /// </summary>
    public string? ResultsDirectory { get; set; }

    /// <summary>
    /// Where result files go: <c>local</c> (default; <see cref="ResultsDirectory"/>) or <c>s3</c>
    /// (<see cref="S3"/>; every node serves what any worker made, no shared disk).
    /// </summary>
    public string ResultStore { get; set; } = "local";

    /// <summary>The bucket when <see cref="ResultStore"/> is <c>s3</c> (<c>Reelgate:S3</c>).</summary>
    public S3Options S3 { get; set; } = new();

    /// <summary>The admin API's bearer key; generated into &lt;data dir&gt;/admin.key when empty.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// The secret that signs result URLs; generated into &lt;data dir&gt;/url-signing.key when
    /// empty. Set it (the same on every node) when several nodes serve one database.
    /// </summary>
    public string? UrlSigningKey { get; set; }

    /// <summary>Origin written into resultUrls (e.g. https://cdn.example.com); default: the request's own.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Concurrent generations on this node; 0 = accept and serve tasks, generate none.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// What this node does (<c>--role</c> or <c>Reelgate:Role</c>): <c>all</c> (default) serves
    /// HTTP and generates; <c>api</c> serves HTTP and generates nothing; <c>worker</c> generates and
    /// delivers callbacks with no HTTP port at all.
    /// </summary>
    public string Role { get; set; } = Roles.All;

    /// <summary>Worker slots this node's dispatcher actually runs: none on an <c>api</c> node.</summary>
    public int EffectiveWorkers => Role == Roles.Api ? 0 : Workers;

    /// <summary>
    /// How long result files (video and poster) are kept after a task succeeds; then the leader
    /// node's sweep removes them and recordInfo shows <c>resultExpired: true</c> (the task record
    /// stays). Zero keeps them forever.
    /// </summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// How long an uploaded file (<c>POST /api/v1/files</c> and the kie.ai upload routes) is kept;
    /// then the leader node's retention sweep deletes its bytes and its record.
    /// </summary>
    public TimeSpan UploadRetention { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The bytes one account's unexpired uploads may hold together (default 1 GiB).</summary>
    public long UploadQuotaBytes { get; set; } = 1L << 30;

    /// <summary>How often the leader node looks for results past their retention.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a signed result URL stays valid.</summary>
    public TimeSpan ResultUrlTtl { get; set; } = TimeSpan.FromDays(14);

    /// <summary>A worker's lease on a task; renewed by heartbeats every third of it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Claims of one task before it is failed with internal_error and refunded.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Longest one generation may run before it fails with <c>timeout</c>.</summary>
    public TimeSpan EngineTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// At shutdown (SIGTERM), how long running generations may go on before they are stopped and
    /// their tasks released to the queue. The host waits this plus 10 s in all.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How often idle workers look at the queue without a wake-up signal (safety net).</summary>
    public TimeSpan FallbackPoll { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the leader node sweeps expired leases (one node at a time, by a database lease).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The model catalog file; default: catalog/models.json beside the server.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>How long a verified API key is cached before the database is asked again.</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Proxies (addresses or CIDR ranges) whose <c>X-Forwarded-For</c> names the client for keys'
    /// <c>allowedIps</c>; empty: the peer address is the client and the header is ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Rate and active-task limits per tier; configured tiers replace the defaults of the same name.</summary>
    public Dictionary<string, TierLimits> Tiers { get; set; } = TierLimits.Defaults();

    /// <summary>How long a database statement waits for a lock held by another process before failing.</summary>
    public TimeSpan DatabaseBusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// x264 threads per built-in render; 0 = cores / Workers (at least 1). Pin it (e.g. 1) when
    /// byte-identical videos must match across machines with different core counts.
    /// </summary>
    public int RendererThreads { get; set; }

    /// <summary>ffmpeg for the built-in renderer.</summary>
    public string FfmpegPath { get; set; } = "/usr/bin/ffmpeg";

    /// <summary>Callback delivery: retry schedule, timeout, allowed private hosts.</summary>
    public CallbackOptions Callbacks { get; set; } = new();

    /// <summary>Upstream engines by name (<c>Reelgate:Engines:{name}</c>); the built-in renderer is always there as <c>builtin</c>.</summary>
    public Dictionary<string, EngineOptions> Engines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per public model, the engines to try (<c>Reelgate:Routes:{model}</c>); absent: the catalog's <c>engine</c>.</summary>
    public Dictionary<string, List<RouteEntry>> Routes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The per-engine circuit breaker (<c>Reelgate:Breaker</c>).</summary>
    public BreakerOptions Breaker { get; set; } = new();

    /// <summary>Benchmark-only switches; never set them in production.</summary>
    public BenchmarkOptions Benchmark { get; set; } = new();

    /// <summary>The shared rate limiter's settings (<c>Reelgate:Redis</c>; the connection is <c>ConnectionStrings:Redis</c>).</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>The web app's settings (<c>Reelgate:Web</c>).</summary>
    public WebOptions Web { get; set; } = new();

    /// <summary>The MCP endpoint's settings (<c>Reelgate:Mcp</c>).</summary>
    public McpOptions Mcp { get; set; } = new();

    /// <summary>The OpenAI-compatible Videos API's defaults (<c>Reelgate:OpenAi</c>).</summary>
    public OpenAiOptions OpenAi { get; set; } = new();

    /// <summary>Fetching media inputs (<c>Reelgate:Inputs</c>): allowed private hosts, the fetch timeout.</summary>
    public InputOptions Inputs { get; set; } = new();

    /// <summary>The embedded SQLite database file (unused when ConnectionStrings:Reelgate selects PostgreSQL).</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "reelgate.db");

    /// <summary>Where local result files live: <see cref="ResultsDirectory"/>, or &lt;data dir&gt;/results.</summary>
    public string ResolvedResultsDirectory => ResultsDirectory is { Length: > 0 } shared ? shared : Path.Combine(DataDirectory, "results");

    /// <summary>The Prometheus scrape endpoint (<c>Reelgate:Metrics</c>).</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Optional OTLP export of traces, logs and metrics (<c>Reelgate:Otlp</c>).</summary>
    public OtlpOptions Otlp { get; set; } = new();

    public string ResolvedCatalogPath => CatalogPath ?? Path.Combine(AppContext.BaseDirectory, "catalog", "models.json");
}
