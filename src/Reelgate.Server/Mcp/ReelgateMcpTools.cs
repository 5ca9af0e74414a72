using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using ModelContextProtocol.Protocol;
using Reelgate.Core.Accounts;
using Reelgate.Core.Catalog;
using Reelgate.Core.Limits;
using Reelgate.Core.Tasks;
using Reelgate.Server.Api;
using Reelgate.Server.Events;
using Reelgate.Server.Security;

namespace Reelgate.Server.Mcp;

/// <summary>
/// The MCP tools: <c>generate_video</c> (create, optionally wait), <c>get_task</c>,
/// <c>list_tasks</c>, <c>get_credits</c>, <c>list_models</c>. Input schemas come from the model
/// catalog. Each call is rate-limited like its REST twin (generate_video as a create, the rest as
/// reads) and goes through the same code (<see cref="CreateTaskEndpoint.CreateAsync(AuthenticatedKey, TierLimits, JsonElement, StringValues, string)"/>
/// for creation). API errors come back as tool errors whose text starts with the REST code and msg,
/// e.g. <c>402 insufficient credits</c>.
/// </summary>
public sealed class ReelgateMcpTools(
    IHttpContextAccessor accessor,
    ApiCaller caller,
    CreateTaskEndpoint creator,
    ModelCatalog catalog,
    ITaskStore tasks,
    IAccountStore accounts,
    TaskView view,
    TaskEventHub hub,
    TimeProvider time)
{
    /// <summary>The longest a generate_video call waits for its task (it keeps running after).</summary>
    public const int MaxWaitSeconds = 600;

    private static readonly string[] ToolArguments = ["model", "wait", "wait_seconds", "callBackUrl", "request_id"];

    public ListToolsResult ListTools() => new()
    {
        Tools =
        [
            new Tool
            {
                Name = "generate_video",
                Description = "Create a video generation task (charged at once, refunded if it fails). With wait=true, waits until it ends and returns the task with its result URL.",
                InputSchema = ToElement(GenerateSchema()),
            },
            new Tool
            {
                Name = "get_task",
                Description = "A task's state, progress, result URLs (signed) or failure, as recordInfo returns it.",
                InputSchema = ToElement(Schema(new JsonObject { ["taskId"] = new JsonObject { ["type"] = "string", ["description"] = "The task id from generate_video." } }, "taskId")),
            },
            new Tool
            {
                Name = "list_tasks",
                Description = "The account's tasks, newest first, with keyset pagination (pass nextCursor back as cursor).",
                InputSchema = ToElement(Schema(new JsonObject
                {
                    ["state"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("waiting", "success", "fail") },
                    ["model"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(catalog.Models.Select(m => (JsonNode)m.Id).ToArray()) },
                    ["limit"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 100, ["default"] = 20 },
                    ["cursor"] = new JsonObject { ["type"] = "string" },
                })),
            },
            new Tool { Name = "get_credits", Description = "The account's credit balance.", InputSchema = ToElement(Schema([])) },
            new Tool { Name = "list_models", Description = "The models with their inputs, sizes and prices.", InputSchema = ToElement(Schema([])) },
        ],
    };

    public async ValueTask<CallToolResult> CallAsync(CallToolRequestParams call, CancellationToken ct)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("MCP tool called outside an HTTP request");
        var key = (AuthenticatedKey)http.Items[McpEndpoint.KeyItem]!;
        var args = call.Arguments ?? new Dictionary<string, JsonElement>();
        var kind = call.Name == "generate_video" ? RequestKind.Create : RequestKind.Read;
        var (tier, decision) = await caller.LimitAsync(key, kind, ct);
        if (decision.Unavailable)
        {
            return Error(503, "rate limiter unavailable");
        }

        if (!decision.Allowed)
        {
            return Error(429, $"rate limit exceeded: {decision.Limit} per {decision.WindowSeconds} s for tier {key.Tier}, retry after {decision.RetryAfterSeconds} s");
        }

        return call.Name switch
        {
            "generate_video" => await GenerateAsync(http, key, tier, args, ct),
            "get_task" => await GetTaskAsync(http, key, args, ct),
            "list_tasks" => await ListAsync(http, key, args, ct),
            "get_credits" => Ok(new JsonObject { ["credits"] = await accounts.GetBalanceAsync(key.AccountId, ct) ?? 0 }),
            "list_models" => Ok(JsonSerializer.SerializeToNode(catalog.Models.Select(ModelsEndpoints.ToData).ToList(), ApiJsonContext.Web.IReadOnlyListModelData)!),
            _ => Error(404, $"unknown tool '{call.Name}'"),
        };
    }

    private async Task<CallToolResult> GenerateAsync(HttpContext http, AuthenticatedKey key, TierLimits tier, IDictionary<string, JsonElement> args, CancellationToken ct)
    {
        var model = args.TryGetValue("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : DefaultModel;
        var input = new JsonObject();
        foreach (var (name, value) in args)
        {
            if (!ToolArguments.Contains(name))
            {
                input[name] = JsonNode.Parse(value.GetRawText());
            }
        }

        var body = new JsonObject { ["model"] = model, ["input"] = input };
        if (args.TryGetValue("callBackUrl", out var cb))
        {
            body["callBackUrl"] = JsonNode.Parse(cb.GetRawText());
        }

        var requestId = args.TryGetValue("request_id", out var rid) ? (rid.ValueKind == JsonValueKind.String ? new StringValues(rid.GetString()) : new StringValues("")) : StringValues.Empty;
        using var doc = JsonDocument.Parse(body.ToJsonString());
        var created = await creator.CreateAsync(key, tier, doc.RootElement, requestId, $"{http.Request.Scheme}://{http.Request.Host}");
        if (created.Code != 200)
        {
            return Error(created.Code, created.Msg);
        }

        var wait = args.TryGetValue("wait", out var w) && w.ValueKind == JsonValueKind.True;
        var seconds = args.TryGetValue("wait_seconds", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n) ? Math.Clamp(n, 1, MaxWaitSeconds) : 300;
        var task = wait ? await WaitAsync(key.AccountId, created.TaskId!, TimeSpan.FromSeconds(seconds), ct) : await tasks.GetAsync(created.TaskId!, ct);
        return Ok(TaskNode(task!, http));
    }

    /// <summary>Waits for the task's end on the event hub, re-reading the store at least once a second.</summary>
    private async Task<TaskRecord?> WaitAsync(string accountId, string taskId, TimeSpan limit, CancellationToken ct)
    {
        using var subscription = hub.Subscribe(accountId, null);
        var deadline = time.GetUtcNow() + limit;
        while (true)
        {
            var task = await tasks.GetAsync(taskId, ct);
            if (task is null || task.State != TaskState.Waiting || time.GetUtcNow() >= deadline)
            {
                return task;
            }

            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            tick.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                while (await subscription.Live.ReadAsync(tick.Token) is var e && (e.TaskId != taskId || e.State == TaskState.Waiting))
                {
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Re-read the store.
            }
        }
    }

    private async Task<CallToolResult> GetTaskAsync(HttpContext http, AuthenticatedKey key, IDictionary<string, JsonElement> args, CancellationToken ct)
    {
        if (!args.TryGetValue("taskId", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
        {
            return Error(422, "validation error: taskId is required");
        }

        var taskId = id.GetString()!;
        var task = taskId.Length <= 80 ? await tasks.GetAsync(taskId, ct) : null;
        return task is null || task.AccountId != key.AccountId ? Error(404, "task not found") : Ok(TaskNode(task, http));
    }

    private async Task<CallToolResult> ListAsync(HttpContext http, AuthenticatedKey key, IDictionary<string, JsonElement> args, CancellationToken ct)
    {
        string? Str(string name) => args.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var state = Str("state");
        if (state is not (null or TaskState.Waiting or TaskState.Success or TaskState.Fail))
        {
            return Error(422, "validation error: state must be one of waiting, success, fail");
        }

        var limit = 20;
        if (args.TryGetValue("limit", out var l) && (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out limit) || limit is < 1 or > 100))
        {
            return Error(422, "validation error: limit must be a whole number from 1 to 100");
        }

        TaskCursor? after = null;
        if (Str("cursor") is { Length: > 0 } cursor && (after = ListCursor.Decode(cursor)) is null)
        {
            return Error(400, ApiResults.InvalidRequest);
        }

        var page = await tasks.ListAsync(key.AccountId, state, Str("model"), after, limit + 1, ct);
        var items = new JsonArray(page.Take(limit).Select(t => (JsonNode)TaskNode(t, http)).ToArray());
        var next = page.Count > limit ? ListCursor.Encode(new TaskCursor(page[limit - 1].CreateTime, page[limit - 1].TaskId)) : null;
        return Ok(new JsonObject { ["items"] = items, ["nextCursor"] = next });
    }

    private JsonNode TaskNode(TaskRecord task, HttpContext http) =>
        JsonSerializer.SerializeToNode(view.ToData(task, http.Request), ApiJsonContext.Web.TaskInfoData)!;

    private string DefaultModel => catalog.Models.First().Id;

    /// <summary>generate_video's schema: every model's input fields from the catalog, plus model, wait and callBackUrl.</summary>
    private JsonObject GenerateSchema()
    {
        var properties = new JsonObject
        {
            ["model"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(catalog.Models.Select(m => (JsonNode)m.Id).ToArray()), ["default"] = DefaultModel },
        };
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in catalog.Models)
        {
            foreach (var field in model.Input.Where(f => f.AliasOf is null))
            {
                properties[field.Name] ??= FieldSchema(field);
                if (field.Required)
                {
                    required.Add(field.Name);
                }
            }
        }

        properties["callBackUrl"] = new JsonObject { ["type"] = "string", ["format"] = "uri", ["maxLength"] = 2048, ["description"] = "Signed POST of the task when it ends." };
        properties["request_id"] = new JsonObject { ["type"] = "string", ["maxLength"] = 128, ["description"] = "Idempotency key: a retry with the same id returns the same task and charges once." };
        properties["wait"] = new JsonObject { ["type"] = "boolean", ["default"] = false, ["description"] = "Wait until the task ends and return it with its result URL." };
        properties["wait_seconds"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = MaxWaitSeconds, ["default"] = 300, ["description"] = "How long to wait at most (the task keeps running after)." };
        return Schema(properties, [.. required]);
    }

    private static JsonObject FieldSchema(InputField f)
    {
        var schema = new JsonObject();
        switch (f.Type)
        {
            case "string":
                schema["type"] = "string";
                if (f.MinLength is { } min)
                {
                    schema["minLength"] = min;
                }

                if (f.MaxLength is { } max)
                {
                    schema["maxLength"] = max;
                }

                break;
            case "enum":
                schema["type"] = "string";
                schema["enum"] = new JsonArray((f.Values ?? []).Select(v => (JsonNode)v).ToArray());
                break;
            case "boolean":
                schema["type"] = "boolean";
                break;
            default:
                schema["type"] = "integer";
                if (f.Min is { } lo)
                {
                    schema["minimum"] = lo;
                }

                if (f.Max is { } hi)
                {
                    schema["maximum"] = hi;
                }

                break;
        }

        if (f.Default is { } d)
        {
            schema["default"] = JsonNode.Parse(d.GetRawText());
        }

        if (f.Description is not null)
        {
            schema["description"] = f.Description;
        }

        return schema;
    }

    private static JsonObject Schema(JsonObject properties, params string[] required)
    {
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Length > 0)
        {
            schema["required"] = new JsonArray(required.Select(r => (JsonNode)r).ToArray());
        }

        return schema;
    }

    private static JsonElement ToElement(JsonObject o) => JsonDocument.Parse(o.ToJsonString()).RootElement.Clone();

    private static CallToolResult Ok(JsonNode data) => new()
    {
        Content = [new TextContentBlock { Text = data.ToJsonString() }],
        StructuredContent = data is JsonObject ? ToElement((JsonObject)data) : null,
    };

    private static CallToolResult Error(int code, string msg) => new()
    {
        Content = [new TextContentBlock { Text = $"{code} {msg}" }],
        IsError = true,
    };
}
