using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reelgate.Client;

/// <summary>The states of a task in the jobs API.</summary>
public static class TaskStates
{
    /// <summary>Queued or generating.</summary>
    public const string Waiting = "waiting";

    /// <summary>Done; <see cref="TaskInfo.ResultUrls"/> holds the video.</summary>
    public const string Success = "success";

    /// <summary>Ended without a video; <see cref="TaskInfo.FailCode"/> says why (credits are refunded on Reelgate).</summary>
    public const string Fail = "fail";
}

/// <summary>A task as <c>recordInfo</c> returns it. Fields beyond the spec's are null on platforms that do not send them.</summary>
public sealed record TaskInfo
{
    /// <summary>The task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The model id, e.g. <c>seedance-2.0-text-to-video</c>.</summary>
    public string? Model { get; init; }

    /// <summary><c>waiting</c>, <c>success</c> or <c>fail</c> (see <see cref="TaskStates"/>).</summary>
    public required string State { get; init; }

    /// <summary>The original request as a JSON string.</summary>
    public string? Param { get; init; }

    /// <summary>On success, a JSON string with <c>resultUrls</c>.</summary>
    public string? ResultJson { get; init; }

    /// <summary>On fail, the machine-readable reason.</summary>
    public string? FailCode { get; init; }

    /// <summary>On fail, the human-readable reason.</summary>
    public string? FailMsg { get; init; }

    /// <summary>Generation time in milliseconds, once ended.</summary>
    public long? CostTime { get; init; }

    /// <summary>End time, Unix milliseconds.</summary>
    public long? CompleteTime { get; init; }

    /// <summary>Creation time, Unix milliseconds.</summary>
    public long CreateTime { get; init; }

    /// <summary>Last change, Unix milliseconds (Reelgate extra).</summary>
    public long? UpdateTime { get; init; }

    /// <summary>Credits charged for the task (Reelgate extra).</summary>
    public long? CreditsConsumed { get; init; }

    /// <summary>Progress 0-100 (Reelgate extra).</summary>
    public int? Progress { get; init; }

    /// <summary>The seed used (Reelgate extra).</summary>
    public long? Seed { get; init; }

    /// <summary>A poster frame URL (Reelgate extra).</summary>
    public string? ThumbnailUrl { get; init; }

    /// <summary>Reelgate: Unix ms when a successful task's files expire (retention), or expired; null when kept forever.</summary>
    public long? ResultExpireTime { get; init; }

    /// <summary>Reelgate: true once a successful task's files were removed by retention (then <c>resultJson</c> is null).</summary>
    public bool? ResultExpired { get; init; }

    /// <summary>Reelgate: while the task waits and no worker holds it, its place in the claim order (1 = next); else null.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>Reelgate: with <see cref="QueuePosition"/>, the seconds until it starts when the server can tell; else null.</summary>
    public double? EtaSeconds { get; init; }

    /// <summary>True once the task is <c>success</c> or <c>fail</c>.</summary>
    [JsonIgnore]
    public bool IsFinished => State is TaskStates.Success or TaskStates.Fail;

    /// <summary>The result URLs parsed from <see cref="ResultJson"/> (empty unless success).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ResultUrls
    {
        get
        {
            if (string.IsNullOrEmpty(ResultJson))
            {
                return [];
            }

            try
            {
                return JsonNode.Parse(ResultJson)?["resultUrls"] is JsonArray urls
                    ? urls.Select(u => u?.GetValue<string>()).OfType<string>().ToList()
                    : [];
            }
            catch (JsonException)
            {
                return [];
            }
        }
    }

    /// <summary>Throws <see cref="ReelgateTaskFailedException"/> unless the task succeeded; returns the task.</summary>
    public TaskInfo EnsureSucceeded() => State == TaskStates.Success ? this : throw new ReelgateTaskFailedException(this);
}

/// <summary>A price quote (<c>/api/v1/jobs/quote</c>): what createTask would charge, and the balance now and after.</summary>
/// <param name="Credits">The credits the create would charge.</param>
/// <param name="Balance">The account's balance now.</param>
/// <param name="BalanceAfter">The balance after such a create; below 0, createTask would refuse with 402.</param>
/// <param name="KeyRoom">What the key may still spend in its credit period; null when the key has no credit limit. Below <paramref name="Credits"/>, createTask would refuse with 402 key credit limit reached.</param>
public sealed record Quote(long Credits, long Balance, long BalanceAfter, long? KeyRoom);

/// <summary>
/// A key's limits (issue 23); null is no limit. <paramref name="CreditPeriod"/> is <c>day</c>,
/// <c>month</c> (UTC) or <c>total</c>, required with <paramref name="CreditLimit"/>;
/// <paramref name="AllowedIps"/> lists addresses and CIDR ranges; <paramref name="ExpiresAt"/> is Unix ms.
/// </summary>
public sealed record KeyLimits(long? CreditLimit = null, string? CreditPeriod = null, IReadOnlyList<string>? AllowedIps = null, long? ExpiresAt = null);

/// <summary>A key as the admin API shows it (never the key itself), with its limits.</summary>
public sealed record ApiKeySummary(string KeyId, string AccountId, string Prefix, string Name, string Tier, bool Revoked, long CreateTime, long? CreditLimit, string? CreditPeriod, IReadOnlyList<string>? AllowedIps, long? ExpiresAt);

/// <summary>
/// The calling key (<c>/api/v1/keys/self</c>): its limits, what it spent in its credit period
/// (its whole life without a limit) from <paramref name="PeriodStart"/> to <paramref name="PeriodEnd"/>,
/// the room left (null without a limit), and the client address the server saw.
/// </summary>
public sealed record KeySelf(string KeyId, string Prefix, string Name, string Tier, long? CreditLimit, string? CreditPeriod, IReadOnlyList<string>? AllowedIps, long? ExpiresAt,
    long Spent, long PeriodStart, long? PeriodEnd, long? Room, string? ClientIp);

/// <summary>One group of a usage report (<c>/api/v1/usage</c>): credits charged, refunded, net, and tasks by state.</summary>
public sealed record UsageRow(string Group, long Charged, long Refunded, long Net, int Tasks, int Success, int Fail, int Waiting);

/// <summary>A usage report: the UTC days covered, the grouping (day, model, key), its rows and their total.</summary>
public sealed record Usage(string From, string To, string GroupBy, IReadOnlyList<UsageRow> Rows, UsageRow Total);

/// <summary>A page of <c>/api/v1/jobs/list</c>, newest first.</summary>
/// <param name="Items">The tasks of this page.</param>
/// <param name="NextCursor">Pass it to get the next page; null on the last page.</param>
public sealed record TaskPage(IReadOnlyList<TaskInfo> Items, string? NextCursor);

/// <summary>A change of a task, from the event stream or a poll.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="State">Its state.</param>
/// <param name="Progress">Its progress 0-100 (0 where the platform does not report it).</param>
public sealed record TaskProgress(string TaskId, string State, int Progress)
{
    /// <summary>Reelgate: while the task waits and no worker has taken it, its place in the queue (1 = next); else null.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>Reelgate: with <see cref="QueuePosition"/>, the seconds until it starts when the server can tell; else null.</summary>
    public double? EtaSeconds { get; init; }
}

/// <summary>Bytes written so far by <see cref="ReelgateClient.DownloadAsync(string, string, IProgress{DownloadProgress}?, CancellationToken)"/>.</summary>
/// <param name="BytesReceived">Bytes in the file so far (including a resumed part).</param>
/// <param name="TotalBytes">The file's size when the server said it.</param>
public sealed record DownloadProgress(long BytesReceived, long? TotalBytes);

/// <summary>Options of one createTask call.</summary>
public sealed record CreateTaskOptions
{
    /// <summary>Where the platform POSTs the result when the task ends.</summary>
    public string? CallBackUrl { get; init; }

    /// <summary>
    /// The idempotency key (<c>X-Request-ID</c>). When null the client generates one, so its
    /// own retries can never create (and charge) the task twice.
    /// </summary>
    public string? RequestId { get; init; }
}

/// <summary>Typed input of <c>seedance-2.0-text-to-video</c>; null fields are left out and take the model's defaults.</summary>
public sealed record SeedanceTextToVideoInput : IGenerationInput
{
    /// <summary>The model id this input is for.</summary>
    public const string ModelId = "seedance-2.0-text-to-video";

    /// <inheritdoc />
    string IGenerationInput.Model => ModelId;

    /// <summary>Text prompt, 1 to 20000 characters.</summary>
    public required string Prompt { get; init; }

    /// <summary><c>16:9</c>, <c>9:16</c>, <c>1:1</c>, <c>4:3</c>, <c>3:4</c>, <c>21:9</c> or <c>adaptive</c>.</summary>
    public string? Ratio { get; init; }

    /// <summary><c>480p</c>, <c>720p</c> or <c>1080p</c>.</summary>
    public string? Resolution { get; init; }

    /// <summary>Seconds, 4 to 15.</summary>
    public int? Duration { get; init; }

    /// <summary>Adds an audio track (priced higher).</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary>Seed; -1 for random.</summary>
    public long? Seed { get; init; }

    /// <summary>Ask the platform to search the web for the prompt.</summary>
    public bool? WebSearch { get; init; }

    /// <summary>Ask the platform to check the output for NSFW content.</summary>
    public bool? NsfwChecker { get; init; }

    /// <summary>The input as the wire's JSON object (snake_case names).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["prompt"] = Prompt };
        if (Ratio is not null)
        {
            o["ratio"] = Ratio;
        }

        if (Resolution is not null)
        {
            o["resolution"] = Resolution;
        }

        if (Duration is not null)
        {
            o["duration"] = Duration;
        }

        if (GenerateAudio is not null)
        {
            o["generate_audio"] = GenerateAudio;
        }

        if (Seed is not null)
        {
            o["seed"] = Seed;
        }

        if (WebSearch is not null)
        {
            o["web_search"] = WebSearch;
        }

        if (NsfwChecker is not null)
        {
            o["nsfw_checker"] = NsfwChecker;
        }

        return o;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(Quote))]
[JsonSerializable(typeof(Usage))]
[JsonSerializable(typeof(KeySelf))]
[JsonSerializable(typeof(ApiKeySummary))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(UploadedFileInfo))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
