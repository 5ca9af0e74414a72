using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Reelgate.Core.Catalog;
using Reelgate.Core.Limits;
using Reelgate.Core.Tasks;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>POST /api/v1/jobs/createTask</c>. Checks in the spec's order: authentication (401), rate
/// limit (429), body (400/422), then one store transaction for idempotency, the active-task
/// limit (409) and credits (402). The task is committed (durably) before the answer is sent.
/// </summary>
public sealed class CreateTaskEndpoint(ApiCaller caller, ModelCatalog catalog, ITaskStore tasks, QueueSignal signal, Events.TaskEventHub events, Observability.ReelgateMetrics metrics, TimeProvider time)
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };
    private static readonly JsonWriterOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (key, tier, error) = await caller.CheckAsync(http, RequestKind.Create);
        if (error is not null)
        {
            return error;
        }

        if (!RequestBodyReader.HasJsonContentType(http.Request))
        {
            return ApiResults.Error(400, ApiResults.InvalidRequest);
        }

        var body = await RequestBodyReader.ReadAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            return ApiResults.Error(400, ApiResults.InvalidRequest);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, ParseOptions);
        }
        catch (JsonException)
        {
            return ApiResults.Error(400, ApiResults.InvalidRequest);
        }

        using (doc)
        {
            return await CreateAsync(http, key!, tier, doc.RootElement);
        }
    }

    private async Task<IResult> CreateAsync(HttpContext http, Security.AuthenticatedKey key, TierLimits tier, JsonElement root)
    {
        var result = await CreateAsync(key, tier, root, http.Request.Headers["X-Request-ID"], $"{http.Request.Scheme}://{http.Request.Host}");
        return result.Code == 200
            ? ApiResults.Ok(new CreateTaskData(result.TaskId!), ApiJsonContext.Web.ApiEnvelopeCreateTaskData)
            : ApiResults.Error(result.Code, result.Msg);
    }

    /// <summary>
    /// Validates a createTask body and creates the task: the one path for REST and MCP, so both
    /// get the same validation, idempotency, limits and billing. Authentication and the rate
    /// limit are the caller's (they come first in the spec's order).
    /// </summary>
    /// <param name="requestIds">The X-Request-ID header values (none for MCP calls).</param>
    /// <param name="baseUrl">The origin the client called, for result URLs in callbacks.</param>
    public async Task<CreateTaskResult> CreateAsync(Security.AuthenticatedKey key, TierLimits tier, JsonElement root, Microsoft.Extensions.Primitives.StringValues requestIds, string baseUrl)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("model", out var modelElement) || modelElement.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return CreateTaskResult.Error(400, ApiResults.InvalidRequest);
        }

        if (!catalog.TryGet(modelElement.GetString()!, out var model))
        {
            return CreateTaskResult.Error(422, "model is not supported");
        }

        var validated = InputValidator.Validate(model, input);
        if (!validated.IsValid)
        {
            return CreateTaskResult.Error(422, validated.Error!);
        }

        string? callBackUrl = null;
        if (root.TryGetProperty("callBackUrl", out var cb) && cb.ValueKind != JsonValueKind.Null)
        {
            callBackUrl = cb.ValueKind == JsonValueKind.String ? cb.GetString() : null;
            if (!IsCallbackUrl(callBackUrl))
            {
                return CreateTaskResult.Error(422, "validation error: callBackUrl must be an absolute http or https URL of at most 2048 characters");
            }
        }

        string? requestId = null;
        if (requestIds.Count > 0)
        {
            requestId = requestIds.Count == 1 ? requestIds[0] : null;
            if (!IsRequestId(requestId))
            {
                return CreateTaskResult.Error(400, ApiResults.InvalidRequest);
            }
        }

        var param = Param(model.Id, input, callBackUrl);
        var seed = validated.Seed >= 0 ? validated.Seed : Random.Shared.NextInt64(0, model.Output.MaxSeed + 1);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var cost = ModelCatalog.Price(model, validated);
        var outcome = await tasks.CreateAsync(new NewTask
        {
            TaskId = TaskIds.New(now),
            AccountId = key.AccountId,
            KeyId = key.KeyId,
            Model = model.Id,
            Param = param,
            Input = InputJson(validated),
            Cost = cost,
            Seed = seed,
            CallBackUrl = callBackUrl,
            BaseUrl = baseUrl,
            RequestId = requestId,
            RequestHash = requestId is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(param))),
            ActiveTaskLimit = tier.ActiveTasks,
            Now = now,
        }, CancellationToken.None); // once sent, the transaction completes even if the client leaves

        switch (outcome.Status)
        {
            case CreateTaskStatus.Created:
                metrics.TaskCreated(model.Id, cost);
                signal.Pulse();
                events.Publish(key.AccountId, outcome.TaskId!, TaskState.Waiting, 0, null, now);
                return new CreateTaskResult(200, "success", outcome.TaskId);
            case CreateTaskStatus.Replayed:
                return new CreateTaskResult(200, "success", outcome.TaskId);
            case CreateTaskStatus.RequestConflict:
                return CreateTaskResult.Error(409, "request conflict");
            case CreateTaskStatus.ActiveTaskLimit:
                return CreateTaskResult.Error(409, "active task limit exceeded");
            default:
                return CreateTaskResult.Error(402, "insufficient credits");
        }
    }

    /// <summary>The original request (model, input as sent, callBackUrl) as compact JSON: recordInfo's <c>param</c>.</summary>
    private static string Param(string model, JsonElement input, string? callBackUrl)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriteOptions))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WritePropertyName("input");
            input.WriteTo(w);
            if (callBackUrl is not null)
            {
                w.WriteString("callBackUrl", callBackUrl);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The validated input with defaults applied: what the worker resolves into a spec.</summary>
    private static string InputJson(ValidatedInput input)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriteOptions))
        {
            w.WriteStartObject();
            foreach (var (name, value) in input.Values)
            {
                switch (value)
                {
                    case string s: w.WriteString(name, s); break;
                    case long l: w.WriteNumber(name, l); break;
                    case bool b: w.WriteBoolean(name, b); break;
                }
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static bool IsCallbackUrl(string? url) =>
        url is { Length: > 0 and <= 2048 }
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.Host.Length > 0;

    /// <summary>X-Request-ID: 1 to 128 printable ASCII characters.</summary>
    private static bool IsRequestId(string? id)
    {
        if (id is not { Length: > 0 and <= 128 })
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c < 0x21 || c > 0x7e)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The outcome of a create: code and msg as in the envelope, the task id on 200.</summary>
public sealed record CreateTaskResult(int Code, string Msg, string? TaskId)
{
    public static CreateTaskResult Error(int code, string msg) => new(code, msg, null);
}
