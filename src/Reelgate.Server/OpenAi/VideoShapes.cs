using System.Text.Json.Serialization;

namespace Reelgate.Server.OpenAi;

// The JSON shapes of the OpenAI-compatible Videos API (snake_case on the wire, as OpenAI's).
// Small records that only describe JSON shapes are kept together so the contract reads in one place.
// Names of more than one word are spelled out: the OpenAPI document is generated with the
// server's camelCase options, and must show the snake_case names these answers carry.

/// <summary>OpenAI's Video object; <c>id</c> is the task id, timestamps are Unix seconds.</summary>
public sealed record VideoData(
    string Id,
    string Object,
    string Model,
    string Status,
    int Progress,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("completed_at")] long? CompletedAt,
    [property: JsonPropertyName("expires_at")] long? ExpiresAt,
    string Seconds,
    string Size,
    string? Prompt,
    [property: JsonPropertyName("remixed_from_video_id")] string? RemixedFromVideoId,
    VideoErrorData? Error);

/// <summary>Why a video failed: the task's failCode and failMsg.</summary>
public sealed record VideoErrorData(string Code, string Message);

/// <summary>A page of <c>GET /v1/videos</c>: OpenAI's cursor list.</summary>
public sealed record VideoListData(string Object, IReadOnlyList<VideoData> Data, [property: JsonPropertyName("first_id")] string? FirstId, [property: JsonPropertyName("last_id")] string? LastId, [property: JsonPropertyName("has_more")] bool HasMore);

/// <summary>The answer of <c>DELETE /v1/videos/{id}</c>.</summary>
public sealed record VideoDeletedData(string Id, string Object, bool Deleted);

/// <summary>The body of <c>POST /v1/videos/{id}/remix</c>.</summary>
public sealed record VideoRemixRequest(string? Prompt);

/// <summary>Every error of <c>/v1</c>: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAiErrorBody(OpenAiErrorDetail Error);

public sealed record OpenAiErrorDetail(string Message, string Type, string? Param, string? Code);

/// <summary>Source-generated JSON for the <c>/v1</c> shapes: snake_case, nulls written (OpenAI's SDK types expect the keys).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VideoData))]
[JsonSerializable(typeof(VideoListData))]
[JsonSerializable(typeof(VideoDeletedData))]
[JsonSerializable(typeof(VideoRemixRequest))]
[JsonSerializable(typeof(OpenAiErrorBody))]
[JsonSerializable(typeof(string))]
public sealed partial class OpenAiJsonContext : JsonSerializerContext;
