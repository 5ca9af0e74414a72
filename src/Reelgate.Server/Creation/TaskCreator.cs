using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Reelgate.Core.Catalog;
using Reelgate.Core.Limits;
using Reelgate.Core.Tasks;
using Reelgate.Server.Events;
using Reelgate.Server.Observability;
using Reelgate.Server.Security;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Creation;

/// <summary>
/// The create-task use case, shared by REST, MCP and the Playground so all three get the same
/// rate limit, validation, idempotency, limits and billing. Checks in the spec's order: rate limit
/// (unless the surface already counted the call), body, model, input, callBackUrl, request id,
/// then one store transaction for idempotency, the active-task limit, the key's credit limit and credits. A created task
/// is committed (durably) before this returns. It answers a <see cref="CreateResult"/>, never an
/// HTTP status: each surface words the outcome in one place.
/// </summary>
public sealed class TaskCreator(ModelCatalog catalog, ITaskStore tasks, KeyRateLimiter limiter, UploadReferences uploads, QueueSignal signal, TaskEventHub events, ReelgateMetrics metrics, TimeProvider time)
{
    private static readonly JsonWriterOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken ct)
    {
        var (refusal, ready) = await PrepareAsync(request, ct);
        if (ready is null)
        {
            return refusal!;
        }

        var (key, tier, model, modelId, validated, spec, cost, param, callBackUrl, requestId, seed, now) = ready;
        var outcome = await tasks.CreateAsync(new NewTask
        {
            TaskId = TaskIds.New(now),
            AccountId = key.AccountId,
            KeyId = key.KeyId,
            Model = modelId,
            Param = param,
            Input = InputJson(validated),
            Spec = spec,
            Cost = cost,
            Seed = seed,
            CallBackUrl = callBackUrl,
            BaseUrl = request.BaseUrl,
            RequestId = requestId,
            RequestHash = requestId is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(request.IdempotencyText ?? param))),
            ActiveTaskLimit = tier.ActiveTasks,
            Now = now,
        }, CancellationToken.None); // once sent, the transaction completes even if the client leaves

        switch (outcome.Status)
        {
            case CreateTaskStatus.Created:
                metrics.TaskCreated(model.Id, cost);
                signal.Pulse();
                events.Publish(key.AccountId, outcome.TaskId!, TaskState.Waiting, 0, null, now);
                return new CreateResult(CreateStatus.Created) { TaskId = outcome.TaskId, Cost = cost };
            case CreateTaskStatus.Replayed:
                return new CreateResult(CreateStatus.Replayed) { TaskId = outcome.TaskId };
            case CreateTaskStatus.RequestConflict:
                return new CreateResult(CreateStatus.Conflict);
            case CreateTaskStatus.ActiveTaskLimit:
                return new CreateResult(CreateStatus.ActiveTaskLimit) { ActiveTaskLimit = tier.ActiveTasks ?? 0 };
            case CreateTaskStatus.KeyCreditLimit:
                return new CreateResult(CreateStatus.KeyCreditLimit) { Cost = cost };
            default:
                return new CreateResult(CreateStatus.InsufficientCredits) { Cost = cost };
        }
    }

    /// <summary>
    /// What a create checks and prices before it writes anything, in its order (rate limit,
    /// body, model, input, callBackUrl, request id, uploads): createTask and the quote share it,
    /// so a quote's 422 is the create's and its price the create's charge.
    /// </summary>
    private async Task<(CreateResult? Refusal, PreparedCreate? Ready)> PrepareAsync(CreateRequest request, CancellationToken ct)
    {
        var key = request.Key;
        var tier = request.AdmittedTier;
        if (tier is null)
        {
            var (limits, decision) = await limiter.AcquireAsync(key, RequestKind.Create, ct);
            if (!decision.Allowed)
            {
                return (CreateResult.Limited(decision, key.Tier), null);
            }

            tier = limits;
        }

        var root = request.Body;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("model", out var modelElement) || modelElement.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return (new CreateResult(CreateStatus.InvalidRequest), null);
        }

        // The id as sent (the model's own or an alias) is stored and echoed by recordInfo.
        var modelId = modelElement.GetString()!;
        if (!catalog.TryGet(modelId, out var model))
        {
            return (new CreateResult(CreateStatus.UnknownModel) { Field = "model" }, null);
        }

        var validated = InputValidator.Validate(model, input);
        if (!validated.IsValid)
        {
            return (CreateResult.Invalid(validated.Field!, validated.Detail!), null);
        }

        if (request.ArgumentCheck?.Invoke() is { } refused)
        {
            return (CreateResult.Invalid("arguments", refused), null);
        }

        string? callBackUrl = null;
        if (root.TryGetProperty("callBackUrl", out var cb) && cb.ValueKind != JsonValueKind.Null)
        {
            callBackUrl = cb.ValueKind == JsonValueKind.String ? cb.GetString() : null;
            if (!IsCallbackUrl(callBackUrl))
            {
                return (CreateResult.Invalid("callBackUrl", "callBackUrl must be an absolute http or https URL of at most 2048 characters"), null);
            }
        }

        string? requestId = null;
        if (request.RequestIds.Count > 0)
        {
            requestId = request.RequestIds.Count == 1 ? request.RequestIds[0] : null;
            if (!IsRequestId(requestId))
            {
                return (new CreateResult(CreateStatus.InvalidRequest), null);
            }
        }

        var param = Param(modelId, input, callBackUrl);
        var seed = validated.Seed >= 0 ? validated.Seed : Random.Shared.NextInt64(0, model.Output.MaxSeed + 1);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Resolved once, here: the worker, the engines and the price read this record, never the input again.
        var spec = ModelCatalog.Resolve(model, validated, seed);
        var files = await uploads.ResolveAsync(key.AccountId, spec.Media, ct);
        if (files.Media is null)
        {
            return (CreateResult.Invalid(files.Field!, files.Detail!), null);
        }

        spec = spec with { Media = files.Media };
        var cost = ModelCatalog.Price(model, spec);
        return (null, new PreparedCreate(key, tier, model, modelId, validated, spec, cost, param, callBackUrl, requestId, seed, now));
    }

    /// <summary>
    /// The price createTask would charge for this body, after the same checks (nothing is
    /// written); the balance is read by the caller.
    /// </summary>
    public async Task<CreateResult> QuoteAsync(CreateRequest request, CancellationToken ct)
    {
        var (refusal, ready) = await PrepareAsync(request, ct);
        return ready is null ? refusal! : new CreateResult(CreateStatus.Quoted) { Cost = ready.Cost };
    }

    private sealed record PreparedCreate(
        AuthenticatedKey Key, TierLimits Tier, ModelDefinition Model, string ModelId, ValidatedInput Validated, GenerationSpec Spec,
        long Cost, string Param, string? CallBackUrl, string? RequestId, long Seed, long Now);

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

    /// <summary>The validated input with defaults applied: kept for nodes of an older version during a rolling upgrade.</summary>
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
                    case IReadOnlyList<string> list:
                        w.WriteStartArray(name);
                        foreach (var item in list)
                        {
                            w.WriteStringValue(item);
                        }

                        w.WriteEndArray();
                        break;
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
