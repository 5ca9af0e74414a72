using System.Text.Json.Serialization;

namespace Reelgate.Emulators.ModelArk;

// The JSON shapes ModelArk writes, snake_case on the wire (see ArkJsonContext). Optional parts
// are null and left out: content and usage only when succeeded, error only when failed.

internal sealed record ArkErrorBody(ArkError Error);

internal sealed record ArkError(string Code, string Message, string Param, string Type);

internal sealed record CreatedTask(string Id);

internal sealed record TaskObject(
    string Id,
    string Model,
    string Status,
    TaskContent? Content,
    TaskUsage? Usage,
    TaskError? Error,
    long Seed,
    string Resolution,
    string Ratio,
    int Duration,
    [property: JsonPropertyName("framespersecond")] int FramesPerSecond,
    bool GenerateAudio,
    long CreatedAt,
    long UpdatedAt);

/// <summary>A succeeded task's output; <c>last_frame_url</c> only when the create asked for it.</summary>
internal sealed record TaskContent(string VideoUrl, string? LastFrameUrl = null);

internal sealed record TaskUsage(long CompletionTokens, long TotalTokens, ToolUsage? ToolUsage);

internal sealed record ToolUsage(int WebSearch);

internal sealed record TaskError(string Code, string Message);

internal sealed record TaskList(IReadOnlyList<TaskObject> Items, int Total);

/// <summary>The <c>{}</c> a successful DELETE answers.</summary>
internal sealed record EmptyBody;

/// <summary>The runtime knobs as <c>/_emulator/config</c> reads and writes them (names as in the options).</summary>
internal sealed record EmulatorConfig(
    [property: JsonPropertyName("QueueDelayMs")] long QueueDelayMs,
    [property: JsonPropertyName("RunDurationMs")] long RunDurationMs,
    [property: JsonPropertyName("RateLimit429Every")] int RateLimit429Every,
    [property: JsonPropertyName("Fail500Every")] int Fail500Every,
    [property: JsonPropertyName("DropConnectionAfterCreate")] int DropConnectionAfterCreate);

internal sealed record StatsBody(
    long CreatesAccepted,
    long CreatesRefused,
    long Polls,
    long Lists,
    long Deletes,
    long Downloads,
    long CallbacksDelivered,
    long CallbacksFailed,
    int Tasks);

/// <summary><c>GET /_emulator/tasks/{id}</c>: what the create carried, as received (not part of ModelArk).</summary>
internal sealed record ReceivedContent(string Id, IReadOnlyList<ArkContentItem> Content, bool ReturnLastFrame);
