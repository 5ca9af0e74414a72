using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// Settings of the ModelArk emulator. The knobs (delays, every-Nth failures, dropped
/// connections) may be changed at any time, by a test through this object or over HTTP through
/// <c>POST /_emulator/config</c>; each is read once where it matters (the queue delay when a task
/// is created, the run duration when it starts running), so a change affects later tasks only.
/// </summary>
public sealed class ArkEmulatorOptions
{
    private TimeSpan _queueDelay = TimeSpan.FromMilliseconds(200);
    private TimeSpan _runDuration = TimeSpan.FromMilliseconds(500);
    private int _rateLimit429Every;
    private int _fail500Every;
    private int _dropConnectionAfterCreate;
    private readonly List<string> _configurationProblems = [];

    /// <summary>Where Kestrel listens; port 0 picks a free port (see <see cref="ArkEmulator.BaseAddress"/>).</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>Bearer keys the emulator accepts.</summary>
    public IList<string> ApiKeys { get; set; } = ["ark-test-key"];

    /// <summary>Model ids the emulator knows; any other answers 404 InvalidEndpointOrModel.NotFound.</summary>
    public IList<string> Models { get; set; } = ["dreamina-seedance-2-0-260128", "doubao-seedance-2-0-260128"];

    /// <summary>How long a new task stays queued.</summary>
    public TimeSpan QueueDelay { get => _queueDelay; set => _queueDelay = value; }

    /// <summary>How long a task runs (at least; it also waits for its render).</summary>
    public TimeSpan RunDuration { get => _runDuration; set => _runDuration = value; }

    /// <summary>Every Nth create (counted over creates that pass validation and the prompt's own markers) answers 429; 0 is off.</summary>
    public int RateLimit429Every { get => _rateLimit429Every; set => _rateLimit429Every = value; }

    /// <summary>Every Nth create answers 500 InternalServiceError; 0 is off.</summary>
    public int Fail500Every { get => _fail500Every; set => _fail500Every = value; }

    /// <summary>
    /// The next N accepted creates abort the connection instead of answering: the task exists
    /// upstream but the caller never sees its id. Counts down to 0 (off).
    /// </summary>
    public int DropConnectionAfterCreate { get => _dropConnectionAfterCreate; set => _dropConnectionAfterCreate = value; }

    /// <summary>
    /// How long an accepted create holds its answer (the task already exists upstream): a
    /// caller killed meanwhile never learns the id. Zero (default): answer at once.
    /// </summary>
    public TimeSpan CreateAnswerDelay { get; set; }

    /// <summary>Takes one dropped connection from <see cref="DropConnectionAfterCreate"/>, if any is left.</summary>
    internal bool TryTakeDrop()
    {
        while (Volatile.Read(ref _dropConnectionAfterCreate) is var left and > 0)
        {
            if (Interlocked.CompareExchange(ref _dropConnectionAfterCreate, left - 1, left) == left)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Retry-After header (seconds) sent with a 429.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long a video URL works after the task succeeds (ModelArk: 24 hours).</summary>
    public TimeSpan VideoUrlLifetime { get; set; } = TimeSpan.FromHours(24);

    public string FfmpegPath { get; set; } = "/usr/bin/ffmpeg";

    /// <summary>x264 preset of the renders; the emulator favours speed over size.</summary>
    public string RenderPreset { get; set; } = "ultrafast";

    /// <summary>Renders run at once; more wait (each ffmpeg uses one thread).</summary>
    public int MaxParallelRenders { get; set; } = 1;

    /// <summary>The emulator's scratch directory; null: a fresh temp directory, deleted on dispose.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>
    /// Where renders are cached by their parameters; null: inside the work directory. Point
    /// several emulators at one directory (never deleted by the emulator) to share renders.
    /// </summary>
    public string? RenderCacheDirectory { get; set; }

    /// <summary>Base of the video URLs; null: the address Kestrel bound (wildcards become 127.0.0.1).</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How often the background loop moves tasks along (reads also move them, so a fake clock works without it).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    public int CallbackAttempts { get; set; } = 3;

    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Console logging; off for in-process use so test output stays quiet.</summary>
    public bool LogToConsole { get; set; }

    /// <summary>Every problem with these settings, each saying what to set; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(_configurationProblems);
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
        {
            problems.Add($"Url must be an absolute http:// URL such as http://127.0.0.1:9100 (got '{Url}')");
        }

        if (ApiKeys.Count == 0 || ApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("ApiKeys must hold at least one non-empty key (set --ApiKey KEY)");
        }

        if (Models.Count == 0 || Models.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Models must hold at least one non-empty model id");
        }

        if (QueueDelay < TimeSpan.Zero || RunDuration < TimeSpan.Zero)
        {
            problems.Add("QueueDelay and RunDuration must not be negative");
        }

        if (RateLimit429Every < 0 || Fail500Every < 0 || DropConnectionAfterCreate < 0)
        {
            problems.Add("RateLimit429Every, Fail500Every and DropConnectionAfterCreate must be 0 (off) or more");
        }

        if (RetryAfterSeconds < 0 || VideoUrlLifetime <= TimeSpan.Zero || TickInterval <= TimeSpan.Zero)
        {
            problems.Add("RetryAfterSeconds must be 0 or more; VideoUrlLifetime and TickInterval must be positive");
        }

        if (string.IsNullOrWhiteSpace(FfmpegPath) || string.IsNullOrWhiteSpace(RenderPreset) || MaxParallelRenders < 1)
        {
            problems.Add("FfmpegPath and RenderPreset must be set, MaxParallelRenders at least 1");
        }

        if (PublicBaseUrl is not null && !Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out _))
        {
            problems.Add($"PublicBaseUrl must be an absolute URL (got '{PublicBaseUrl}')");
        }

        if (CallbackAttempts < 1 || CallbackTimeout <= TimeSpan.Zero)
        {
            problems.Add("CallbackAttempts must be at least 1 and CallbackTimeout positive");
        }

        return problems;
    }

    /// <summary>
    /// The standalone settings: <c>--urls</c>, <c>--ApiKey</c> (or comma-separated <c>--ApiKeys</c>),
    /// <c>--Models</c>, <c>--QueueDelayMs</c>, <c>--RunDurationMs</c>, <c>--RateLimit429Every</c>,
    /// <c>--Fail500Every</c>, <c>--DropConnectionAfterCreate</c>, <c>--VideoUrlLifetimeSeconds</c>,
    /// <c>--FfmpegPath</c>, <c>--WorkDirectory</c>, <c>--RenderCacheDirectory</c>, <c>--PublicBaseUrl</c>.
    /// Lists replace the defaults (the configuration binder would append to them).
    /// </summary>
    public static ArkEmulatorOptions FromConfiguration(IConfiguration config)
    {
        var o = new ArkEmulatorOptions { LogToConsole = true };
        o.Url = config["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries)[0] ?? "http://127.0.0.1:9100";
        if (List(config["ApiKeys"] ?? config["ApiKey"]) is { } keys)
        {
            o.ApiKeys = keys;
        }

        if (List(config["Models"]) is { } models)
        {
            o.Models = models;
        }

        o.QueueDelay = TimeSpan.FromMilliseconds(o.Int(config, "QueueDelayMs", (int)o.QueueDelay.TotalMilliseconds));
        o.RunDuration = TimeSpan.FromMilliseconds(o.Int(config, "RunDurationMs", (int)o.RunDuration.TotalMilliseconds));
        o.RateLimit429Every = o.Int(config, "RateLimit429Every", 0);
        o.Fail500Every = o.Int(config, "Fail500Every", 0);
        o.DropConnectionAfterCreate = o.Int(config, "DropConnectionAfterCreate", 0);
        o.VideoUrlLifetime = TimeSpan.FromSeconds(o.Int(config, "VideoUrlLifetimeSeconds", (int)o.VideoUrlLifetime.TotalSeconds));
        o.FfmpegPath = config["FfmpegPath"] ?? o.FfmpegPath;
        o.WorkDirectory = config["WorkDirectory"];
        o.RenderCacheDirectory = config["RenderCacheDirectory"];
        o.PublicBaseUrl = config["PublicBaseUrl"];
        return o;
    }

    private static List<string>? List(string? value) =>
        value is null ? null : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>A whole-number setting; a malformed one is reported by <see cref="Validate"/>.</summary>
    private int Int(IConfiguration config, string key, int fallback)
    {
        if (config[key] is not { } s)
        {
            return fallback;
        }

        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _configurationProblems.Add($"{key} must be a whole number (got '{s}')");
        return fallback;
    }
}
