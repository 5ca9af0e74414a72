using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Reelgate.Core.Accounts;
using Reelgate.Core.Catalog;
using Reelgate.Core.Limits;
using Reelgate.Core.Tasks;
using Reelgate.Server.Api;
using Reelgate.Server.Creation;
using Reelgate.Server.Events;
using Reelgate.Server.Security;

namespace Reelgate.Server.Mcp;

/// <summary>
/// The MCP tools: <c>generate_video</c> (create, optionally wait), <c>get_task</c>,
/// <c>list_tasks</c>, <c>get_credits</c>, <c>get_key</c>, <c>quote_video</c>, <c>get_usage</c>, <c>list_models</c>, <c>upload_file</c> (<see cref="UploadFileTool"/>). Input schemas come from the model
/// catalog. Each call is rate-limited like its REST twin (generate_video as a create, the rest as
/// reads) and creates through the same use case as REST and the Playground (<see cref="TaskCreator"/>),
/// whose outcome is worded in one place here (<see cref="ToolError(CreateResult)"/>). Arguments are checked against the tool's published inputSchema
/// (<see cref="ToolArgumentValidator"/>) before anything is created or charged. API errors come
/// back as tool errors whose text starts with the REST code and msg, e.g.
/// <c>402 insufficient credits</c>; an unknown tool is a JSON-RPC error (-32602).
/// </summary>
public sealed class ReelgateMcpTools(
    IHttpContextAccessor accessor,
    KeyRateLimiter limiter,
    TaskCreator creator,
    ModelCatalog catalog,
    ITaskStore tasks,
    IAccountStore accounts,
    TaskView view,
    TaskEventHub hub,
    UploadFileTool uploadFile,
    TimeProvider time)
{
    /// <summary>The longest a generate_video call waits for its task (it keeps running after).</summary>
    public const int MaxWaitSeconds = 600;

    private static readonly string[] ToolArguments = ["model", "wait", "wait_seconds", "callBackUrl", "request_id"];

    private static readonly IReadOnlyDictionary<string, JsonElement> NoArguments = new Dictionary<string, JsonElement>();

    /// <summary>The tools with the input schemas they are checked against, built once from the catalog.</summary>
    private readonly IReadOnlyList<(Tool Tool, JsonObject Input)> _tools = Declare(catalog);

    public ListToolsResult ListTools() => new() { Tools = [.. _tools.Select(t => t.Tool)] };

    public async ValueTask<CallToolResult> CallAsync(CallToolRequestParams call, CancellationToken ct)
    {
        // An unknown tool is a protocol error (JSON-RPC -32602), not a tool result: MCP 2025-06-18,
        // "Error Handling". It is refused before the rate limit, which counts tool calls.
        var (_, schema) = _tools.FirstOrDefault(t => t.Tool.Name == call.Name);
        if (schema is null)
        {
            throw new McpProtocolException($"Unknown tool: '{call.Name}'", McpErrorCode.InvalidParams);
        }

        var http = accessor.HttpContext ?? throw new InvalidOperationException("MCP tool called outside an HTTP request");
        var key = (AuthenticatedKey)http.Items[McpEndpoint.KeyItem]!;
        var args = call.Arguments is { } given ? new Dictionary<string, JsonElement>(given) : NoArguments;
        var kind = call.Name is "generate_video" or UploadFileTool.Name ? RequestKind.Create : RequestKind.Read; // as their REST twins
        var (tier, decision) = await limiter.AcquireAsync(key, kind, ct);
        if (!decision.Allowed)
        {
            return ToolError(CreateResult.Limited(decision, key.Tier));
        }

        // Invalid arguments are a tool error (isError, 422 as REST words it), so the agent can read
        // and correct them; nothing is created or charged. generate_video of a catalog model hands
        // the schema check to the task creator, which runs it right after createTask's own input
        // rules (validated once, REST's messages first: input.duration ...) and before it stores
        // anything; every other call is checked here.
        if (call.Name is not ("generate_video" or "quote_video") || !catalog.TryGet(CreateInput(args).Model, out _))
        {
            var invalid = ToolArgumentValidator.Validate(call.Name, schema, args);
            if (invalid is not null)
            {
                return Error(422, invalid);
            }
        }

        return call.Name switch
        {
            "generate_video" => await GenerateAsync(http, key, tier, schema, args, ct),
            "quote_video" => await QuoteAsync(http, key, tier, schema, args, ct),
            "get_usage" => await UsageAsync(key, args, ct),
            "get_task" => await GetTaskAsync(http, key, args, ct),
            "list_tasks" => await ListAsync(http, key, args, ct),
            "get_credits" => Ok(new JsonObject { ["credits"] = await accounts.GetBalanceAsync(key.AccountId, ct) ?? 0 }),
            "get_key" => await KeyAsync(key, ct),
            UploadFileTool.Name => await uploadFile.CallAsync(http, key, args, ct),
            "list_models" => Ok(new JsonObject { ["models"] = JsonSerializer.SerializeToNode(catalog.Models.Select(ModelsEndpoints.ToData).ToList(), ApiJsonContext.Web.IReadOnlyListModelData) }),
            _ => throw new InvalidOperationException($"tool {call.Name} is declared but has no handler"),
        };
    }

    /// <summary>The createTask model and input of a generate_video call: every argument that is not the tool's own.</summary>
    private (string Model, JsonObject Input) CreateInput(IReadOnlyDictionary<string, JsonElement> args)
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

        return (model, input);
    }

    /// <summary>Creates through createTask's own code path; the task creator runs the tool's schema check after the catalog's input rules.</summary>
    private async Task<CallToolResult> GenerateAsync(HttpContext http, AuthenticatedKey key, TierLimits tier, JsonObject schema, IReadOnlyDictionary<string, JsonElement> args, CancellationToken ct)
    {
        using var doc = CreateBody(args);
        // The tool call was counted against the create budget at the top of CallAsync.
        var created = await creator.CreateAsync(CreateRequestOf(http, key, tier, "generate_video", schema, args, doc), ct);
        if (!created.Succeeded)
        {
            return ToolError(created);
        }

        var wait = args.TryGetValue("wait", out var w) && w.ValueKind == JsonValueKind.True;
        var seconds = args.TryGetValue("wait_seconds", out var s) && ToolArgumentValidator.TryGetWhole(s, out var n) ? n : 300;
        var task = wait ? await WaitAsync(key.AccountId, created.TaskId!, TimeSpan.FromSeconds(seconds), ct) : await tasks.GetAsync(created.TaskId!, ct);
        return Ok(TaskNode(task!, http));
    }

    /// <summary>quote_video: generate_video's arguments priced by createTask's own checks, nothing created (REST's quote).</summary>
    private async Task<CallToolResult> QuoteAsync(HttpContext http, AuthenticatedKey key, TierLimits tier, JsonObject schema, IReadOnlyDictionary<string, JsonElement> args, CancellationToken ct)
    {
        using var doc = CreateBody(args);
        var quoted = await creator.QuoteAsync(CreateRequestOf(http, key, tier, "quote_video", schema, args, doc), ct);
        if (quoted.Status != CreateStatus.Quoted)
        {
            return ToolError(quoted);
        }

        var data = await CreateTaskEndpoint.QuoteDataAsync(accounts, key, quoted.Cost, time, ct);
        return Ok(JsonSerializer.SerializeToNode(data, ApiJsonContext.Web.QuoteData)!.AsObject());
    }

    /// <summary>get_usage: <c>GET /api/v1/usage</c>'s report (JSON) for the key's account.</summary>
    private async Task<CallToolResult> UsageAsync(AuthenticatedKey key, IReadOnlyDictionary<string, JsonElement> args, CancellationToken ct)
    {
        string? Arg(string name) => args.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var (range, groupBy, rows, error) = await UsageEndpoints.ReportAsync(accounts, key.AccountId, Arg("from"), Arg("to"), Arg("groupBy"), time, ct);
        return error is not null
            ? Error(422, error)
            : Ok(JsonSerializer.SerializeToNode(UsageEndpoints.Data(range, groupBy, rows!), ApiJsonContext.Web.UsageData)!.AsObject());
    }

    /// <summary>The createTask body of a generate_video or quote_video call: model, input, callBackUrl.</summary>
    private JsonDocument CreateBody(IReadOnlyDictionary<string, JsonElement> args)
    {
        var (model, input) = CreateInput(args);
        var body = new JsonObject { ["model"] = model, ["input"] = input };
        if (args.TryGetValue("callBackUrl", out var cb))
        {
            body["callBackUrl"] = JsonNode.Parse(cb.GetRawText());
        }

        return JsonDocument.Parse(body.ToJsonString());
    }

    private static CreateRequest CreateRequestOf(HttpContext http, AuthenticatedKey key, TierLimits tier, string tool, JsonObject schema, IReadOnlyDictionary<string, JsonElement> args, JsonDocument body)
    {
        var requestId = args.TryGetValue("request_id", out var rid) && rid.ValueKind == JsonValueKind.String ? new StringValues(rid.GetString()) : StringValues.Empty;
        return new CreateRequest(key, body.RootElement, requestId, $"{http.Request.Scheme}://{http.Request.Host}")
        {
            AdmittedTier = tier,
            ArgumentCheck = () => ToolArgumentValidator.Validate(tool, schema, args) is { } refused ? refused["validation error: ".Length..] : null,
        };
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

    private async Task<CallToolResult> GetTaskAsync(HttpContext http, AuthenticatedKey key, IReadOnlyDictionary<string, JsonElement> args, CancellationToken ct)
    {
        // Longer than any task id: not found without a lookup, as recordInfo answers.
        var taskId = args["taskId"].GetString()!;
        var task = taskId.Length <= 80 ? await tasks.GetAsync(taskId, ct) : null;
        return task is null || task.AccountId != key.AccountId ? Error(404, "task not found") : Ok(TaskNode(task, http));
    }

    private async Task<CallToolResult> ListAsync(HttpContext http, AuthenticatedKey key, IReadOnlyDictionary<string, JsonElement> args, CancellationToken ct)
    {
        string? Str(string name) => args.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var limit = args.TryGetValue("limit", out var l) && ToolArgumentValidator.TryGetWhole(l, out var n) ? (int)n : 20;
        TaskCursor? after = null;
        if (Str("cursor") is { Length: > 0 } cursor && (after = ListCursor.Decode(cursor)) is null)
        {
            return Error(400, ApiResults.InvalidRequest);
        }

        var page = await tasks.ListAsync(key.AccountId, Str("state"), Str("model"), after, limit + 1, ct);
        var items = new JsonArray(page.Take(limit).Select(t => (JsonNode)TaskNode(t, http)).ToArray());
        var next = page.Count > limit ? ListCursor.Encode(new TaskCursor(page[limit - 1].CreateTime, page[limit - 1].TaskId)) : null;
        return Ok(new JsonObject { ["items"] = items, ["nextCursor"] = next });
    }

    private JsonObject TaskNode(TaskRecord task, HttpContext http) =>
        JsonSerializer.SerializeToNode(view.ToData(task, http.Request), ApiJsonContext.Web.TaskInfoData)!.AsObject();

    private string DefaultModel => catalog.Models.First().Id;

    /// <summary>
    /// The tools, each with the input schema it publishes and is checked against
    /// (<see cref="ToolArgumentValidator"/>) and an output schema: every success is a JSON object
    /// in structuredContent (MCP wants an object there).
    /// </summary>
    private static List<(Tool Tool, JsonObject Input)> Declare(ModelCatalog catalog)
    {
        var modelIds = catalog.Models.Select(m => (JsonNode)m.Id).ToArray();
        var task = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["taskId"] = new JsonObject { ["type"] = "string" },
                ["model"] = new JsonObject { ["type"] = "string" },
                ["state"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(TaskState.Waiting, TaskState.Success, TaskState.Fail) },
            },
            ["required"] = new JsonArray("taskId", "model", "state"),
        };
        var tools = new List<(Tool, JsonObject)>
        {
            Tool(
                "generate_video",
                "Create a video generation task (charged at once, refunded if it fails). With wait=true, waits until it ends and returns the task with its result URL.",
                GenerateSchema(catalog),
                task.DeepClone().AsObject()),
            Tool(
                "quote_video",
                "What generate_video would charge for these arguments, after the same checks (the same errors), with the balance now and after and this key's room under its credit limit (null without one). Nothing is created or charged.",
                QuoteSchema(catalog),
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["credits"] = new JsonObject { ["type"] = "integer" },
                        ["balance"] = new JsonObject { ["type"] = "integer" },
                        ["balanceAfter"] = new JsonObject { ["type"] = "integer" },
                        ["keyRoom"] = new JsonObject { ["type"] = new JsonArray("integer", "null") },
                    },
                    ["required"] = new JsonArray("credits", "balance", "balanceAfter", "keyRoom"),
                }),
            Tool(
                "get_usage",
                "Where the account's credits went, from the ledger: charged, refunded, net and tasks by state per UTC day, model or key, over UTC days from..to (default the last 30 days).",
                Schema(new JsonObject
                {
                    ["from"] = new JsonObject { ["type"] = "string", ["minLength"] = 10, ["maxLength"] = 10, ["description"] = "First UTC day, yyyy-MM-dd (default: 29 days before to)." },
                    ["to"] = new JsonObject { ["type"] = "string", ["minLength"] = 10, ["maxLength"] = 10, ["description"] = "Last UTC day, inclusive (default: today)." },
                    ["groupBy"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Core.Accounts.UsageReport.Groupings.Select(g => (JsonNode)g)]), ["default"] = "day" },
                }),
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["from"] = new JsonObject { ["type"] = "string" },
                        ["to"] = new JsonObject { ["type"] = "string" },
                        ["groupBy"] = new JsonObject { ["type"] = "string" },
                        ["rows"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } },
                        ["total"] = new JsonObject { ["type"] = "object" },
                    },
                    ["required"] = new JsonArray("from", "to", "groupBy", "rows", "total"),
                }),
            Tool(
                "get_task",
                "A task's state, progress, result URLs (signed) or failure, as recordInfo returns it.",
                Schema(new JsonObject { ["taskId"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["description"] = "The task id from generate_video." } }, "taskId"),
                task.DeepClone().AsObject()),
            Tool(
                "list_tasks",
                "The account's tasks, newest first, with keyset pagination (pass nextCursor back as cursor).",
                Schema(new JsonObject
                {
                    ["state"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(TaskState.Waiting, TaskState.Success, TaskState.Fail) },
                    ["model"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. modelIds.Select(n => n.DeepClone())]) },
                    ["limit"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 100, ["default"] = 20 },
                    ["cursor"] = new JsonObject { ["type"] = "string" },
                }),
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["items"] = new JsonObject { ["type"] = "array", ["items"] = task.DeepClone() },
                        ["nextCursor"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                    },
                    ["required"] = new JsonArray("items", "nextCursor"),
                }),
            Tool(
                "get_credits",
                "The account's credit balance.",
                Schema([]),
                new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["credits"] = new JsonObject { ["type"] = "integer" } }, ["required"] = new JsonArray("credits") }),
            Tool(
                "get_key",
                "This API key's own limits (credit limit per day, month or total; allowed addresses; expiry), what it spent in its credit period and the credits it may still spend (room; null without a limit).",
                Schema([]),
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["keyId"] = new JsonObject { ["type"] = "string" },
                        ["creditLimit"] = new JsonObject { ["type"] = new JsonArray("integer", "null") },
                        ["creditPeriod"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                        ["allowedIps"] = new JsonObject { ["type"] = new JsonArray("array", "null"), ["items"] = new JsonObject { ["type"] = "string" } },
                        ["expiresAt"] = new JsonObject { ["type"] = new JsonArray("integer", "null") },
                        ["spent"] = new JsonObject { ["type"] = "integer" },
                        ["room"] = new JsonObject { ["type"] = new JsonArray("integer", "null") },
                    },
                    ["required"] = new JsonArray("keyId", "creditLimit", "creditPeriod", "allowedIps", "expiresAt", "spent", "room"),
                }),
            Tool(
                "list_models",
                "The models with their inputs, sizes and prices.",
                Schema([]),
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["models"] = new JsonObject
                        {
                            ["type"] = "array",
                            ["items"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["id"] = new JsonObject { ["type"] = "string" } }, ["required"] = new JsonArray("id") },
                        },
                    },
                    ["required"] = new JsonArray("models"),
                }),
            Tool(UploadFileTool.Name, UploadFileTool.Description, UploadFileTool.InputSchema(), UploadFileTool.OutputSchema()),
        };
        return tools;
    }

    /// <summary>get_key: what <c>GET /api/v1/keys/self</c> answers (without the client address, which an MCP session does not need).</summary>
    private async Task<CallToolResult> KeyAsync(AuthenticatedKey key, CancellationToken ct)
    {
        if (await KeyEndpoints.SelfDataAsync(accounts, key.KeyId, time, null, ct) is not { } data)
        {
            return Error(401, ApiResults.AuthenticationFailed);
        }

        var json = JsonSerializer.SerializeToNode(data, ApiJsonContext.Web.KeySelfData)!.AsObject();
        json.Remove("clientIp");
        return Ok(json);
    }

    private static (Tool, JsonObject) Tool(string name, string description, JsonObject input, JsonObject output)
    {
        ToolArgumentValidator.EnsureSupported(name, input);
        return (new Tool { Name = name, Description = description, InputSchema = ToElement(input), OutputSchema = ToElement(output) }, input);
    }

    /// <summary>generate_video's schema: every model's input fields from the catalog, plus model, wait and callBackUrl.</summary>
    private static JsonObject GenerateSchema(ModelCatalog catalog)
    {
        var properties = new JsonObject
        {
            ["model"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(catalog.Models.SelectMany(m => m.Aliases.Prepend(m.Id)).Select(id => (JsonNode)id).ToArray()), ["default"] = catalog.Models.First().Id },
        };
        // One schema for every model: a field's first declaration describes it, and only a field
        // every model requires is required here; the task creator checks the chosen model's rules.
        HashSet<string>? required = null;
        foreach (var model in catalog.Models)
        {
            foreach (var field in model.Input.Where(f => f.AliasOf is null))
            {
                properties[field.Name] ??= FieldSchema(field);
            }

            var own = model.Input.Where(f => f.Required && f.AliasOf is null).Select(f => f.Name);
            required = required is null ? new HashSet<string>(own, StringComparer.Ordinal) : [.. required.Intersect(own)];
        }

        required ??= [];

        properties["callBackUrl"] = new JsonObject { ["type"] = "string", ["format"] = "uri", ["maxLength"] = 2048, ["description"] = "Signed POST of the task when it ends." };
        properties["request_id"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 128, ["description"] = "Idempotency key: a retry with the same id returns the same task and charges once." };
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
            case "url":
                schema["type"] = "string";
                schema["maxLength"] = 64 * 1024 * 1024;
                break;
            case "urlList":
                schema["type"] = "array";
                schema["items"] = new JsonObject { ["type"] = "string" };
                if (f.MaxItems is { } most)
                {
                    schema["maxItems"] = most;
                }

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

    /// <summary>An object schema that refuses arguments it does not list: nothing an agent sends is silently ignored.</summary>
    /// <summary>quote_video's schema: generate_video's without what only a create uses (wait, wait_seconds, request_id).</summary>
    private static JsonObject QuoteSchema(ModelCatalog catalog)
    {
        var schema = GenerateSchema(catalog);
        var properties = schema["properties"]!.AsObject();
        foreach (var name in new[] { "wait", "wait_seconds", "request_id" })
        {
            properties.Remove(name);
        }

        return schema;
    }

    private static JsonObject Schema(JsonObject properties, params string[] required)
    {
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Length > 0)
        {
            schema["required"] = new JsonArray(required.Select(r => (JsonNode)r).ToArray());
        }

        return schema;
    }

    private static JsonElement ToElement(JsonObject o) => ToolResults.ToElement(o);

    private static CallToolResult Ok(JsonObject data) => ToolResults.Ok(data);

    /// <summary>
    /// The MCP wording of a refused create (and of a tool call's rate limit): the REST code and msg,
    /// with the rate limit's numbers in words. The one place it is decided for MCP.
    /// </summary>
    private static CallToolResult ToolError(CreateResult result) => result.Status switch
    {
        CreateStatus.InvalidRequest => Error(400, ApiResults.InvalidRequest),
        CreateStatus.UnknownModel => Error(422, "model is not supported"),
        CreateStatus.InvalidInput => Error(422, "validation error: " + result.Message),
        CreateStatus.Conflict => Error(409, "request conflict"),
        CreateStatus.ActiveTaskLimit => Error(409, "active task limit exceeded"),
        CreateStatus.InsufficientCredits => Error(402, "insufficient credits"),
        CreateStatus.KeyCreditLimit => Error(402, CreateTaskEndpoint.KeyCreditLimitMessage),
        CreateStatus.RateLimiterUnavailable => Error(503, "rate limiter unavailable"),
        CreateStatus.RateLimited => Error(429, $"rate limit exceeded: {result.RateLimit.Limit} per {result.RateLimit.WindowSeconds} s for tier {result.Tier}, retry after {result.RateLimit.RetryAfterSeconds} s"),
        _ => throw new InvalidOperationException($"create outcome {result.Status} is not an error"),
    };

    private static CallToolResult Error(int code, string msg) => ToolResults.Error(code, msg);
}
