using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Client;

namespace Reelgate.Cli;

/// <summary>The <c>reelgate</c> command tree (System.CommandLine) and its handlers.</summary>
public sealed partial class CliApp(TextWriter stdout, TextWriter stderr, Func<string, string?> env, bool interactive)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private readonly Option<string?> _baseUrl = new("--base-url") { Description = "Server base URL (env REELGATE_BASE_URL; default http://127.0.0.1:8080)", Recursive = true };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = "API key (env REELGATE_API_KEY)", Recursive = true };
    private readonly Option<string?> _adminKey = new("--admin-key") { Description = "Admin key for 'admin' commands (env REELGATE_ADMIN_KEY)", Recursive = true };
    private readonly Option<string?> _config = new("--config") { Description = "Config file (env REELGATE_CONFIG; default ~/.config/reelgate/config.json)", Recursive = true };
    private readonly Option<bool> _json = new("--json") { Description = "Machine-readable JSON on stdout, no progress bar", Recursive = true };

    public async Task<int> RunAsync(string[] args)
    {
        var root = BuildCommands();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync("error: " + error.Message);
            }

            await stderr.WriteLineAsync("run 'reelgate --help' for usage");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    public RootCommand BuildCommands()
    {
        var root = new RootCommand("reelgate: generate videos, follow tasks and administer a Reelgate server (or any platform of the jobs-API family).");
        foreach (var o in new Option[] { _baseUrl, _apiKey, _adminKey, _config, _json })
        {
            root.Options.Add(o);
        }

        root.Subcommands.Add(Generate());
        root.Subcommands.Add(Status());
        root.Subcommands.Add(List());
        root.Subcommands.Add(Cancel());
        root.Subcommands.Add(Simple("credits", "The account's credit balance", async (p, client, ct) =>
        {
            var credits = await client.GetCreditsAsync(ct);
            await Emit(p, new JsonObject { ["credits"] = credits }, () => stdout.WriteLineAsync(credits.ToString(CultureInfo.InvariantCulture)));
            return ExitCodes.Ok;
        }));
        root.Subcommands.Add(Simple("models", "The models with their inputs and prices", async (p, client, ct) =>
        {
            var models = await client.ListModelsAsync(ct);
            await Emit(p, models, async () =>
            {
                foreach (var m in models.OfType<JsonObject>())
                {
                    var inputs = (m["input"] as JsonArray)?.OfType<JsonObject>().Where(i => i["aliasOf"] is null).Select(i => (string?)i["name"]) ?? [];
                    await stdout.WriteLineAsync($"{m["id"]}  inputs: {string.Join(", ", inputs)}");
                }
            });
            return ExitCodes.Ok;
        }));
        root.Subcommands.Add(KeySelfCommand());
        root.Subcommands.Add(UsageCommand());
        root.Subcommands.Add(Admin());
        return root;
    }

    private Command Status()
    {
        var id = new Argument<string>("taskId");
        var command = new Command("status", "A task's state, progress, result URLs or failure") { id };
        command.SetAction((p, ct) => WithClient(p, async (client, ct2) =>
        {
            var task = await client.GetTaskAsync(p.GetValue(id)!, ct2);
            await Emit(p, TaskJson(task), async () =>
            {
                await stdout.WriteLineAsync($"{task.TaskId}  {task.State}  {task.Progress ?? 0}%  {task.Model}");
                foreach (var url in task.ResultUrls)
                {
                    await stdout.WriteLineAsync(url);
                }

                if (task.FailCode is not null)
                {
                    await stdout.WriteLineAsync($"failed: {task.FailCode} {task.FailMsg}");
                }
            });
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private Command List()
    {
        var state = new Option<string?>("--state") { Description = "waiting, success or fail" };
        var model = new Option<string?>("--model") { Description = "Only this model" };
        var limit = new Option<int?>("--limit") { Description = "Page size" };
        var cursor = new Option<string?>("--cursor") { Description = "nextCursor of the previous page" };
        var command = new Command("list", "The account's tasks, newest first") { state, model, limit, cursor };
        command.SetAction((p, ct) => WithClient(p, async (client, ct2) =>
        {
            var page = await client.ListTasksAsync(p.GetValue(state), p.GetValue(model), p.GetValue(limit), p.GetValue(cursor), ct2);
            var json = new JsonObject { ["items"] = new JsonArray(page.Items.Select(t => (JsonNode)TaskJson(t)).ToArray()), ["nextCursor"] = page.NextCursor };
            await Emit(p, json, async () =>
            {
                foreach (var t in page.Items)
                {
                    var created = DateTimeOffset.FromUnixTimeMilliseconds(t.CreateTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                    await stdout.WriteLineAsync($"{t.TaskId}  {t.State,-7}  {created}  {t.CreditsConsumed?.ToString(CultureInfo.InvariantCulture) ?? "-"}  {t.FailCode}");
                }

                if (page.NextCursor is not null)
                {
                    await stdout.WriteLineAsync($"more: reelgate list --cursor {page.NextCursor}");
                }
            });
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private Command Cancel()
    {
        var id = new Argument<string>("taskId");
        var command = new Command("cancel", "Cancel a waiting task (full refund)") { id };
        command.SetAction((p, ct) => WithClient(p, async (client, ct2) =>
        {
            await client.CancelTaskAsync(p.GetValue(id)!, ct2);
            var task = await client.GetTaskAsync(p.GetValue(id)!, ct2);
            await Emit(p, TaskJson(task), () => stdout.WriteLineAsync($"{task.TaskId} cancelled ({task.CreditsConsumed?.ToString(CultureInfo.InvariantCulture) ?? "all"} credits refunded)"));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private Command Admin()
    {
        var admin = new Command("admin", "Accounts, credits and keys (needs the admin key)");

        var accounts = new Command("accounts", "Create, show or disable accounts");
        var name = new Option<string>("--name") { Description = "Account name", Required = true };
        var credits = new Option<long>("--credits") { Description = "Starting credits" };
        var create = new Command("create", "Create an account") { name, credits };
        create.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            var id = await a.CreateAccountAsync(p.GetValue(name)!, p.GetValue(credits), ct2);
            await Emit(p, new JsonObject { ["accountId"] = id }, () => stdout.WriteLineAsync(id));
            return ExitCodes.Ok;
        }, ct));
        var accountId = new Argument<string>("accountId");
        var show = new Command("show", "An account with its keys") { accountId };
        show.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            var account = await a.GetAccountAsync(p.GetValue(accountId)!, ct2);
            await Emit(p, account, () => stdout.WriteLineAsync(account.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            return ExitCodes.Ok;
        }, ct));
        var disableId = new Argument<string>("accountId");
        var disable = new Command("disable", "Disable an account (its keys are refused)") { disableId };
        disable.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            await a.DisableAccountAsync(p.GetValue(disableId)!, ct2);
            await Emit(p, new JsonObject { ["accountId"] = p.GetValue(disableId), ["disabled"] = true }, () => stdout.WriteLineAsync("disabled"));
            return ExitCodes.Ok;
        }, ct));
        accounts.Subcommands.Add(create);
        accounts.Subcommands.Add(show);
        accounts.Subcommands.Add(disable);

        var creditAccount = new Argument<string>("accountId");
        var amount = new Argument<long>("amount") { Description = "Credits to add (negative to deduct)" };
        var reason = new Option<string?>("--reason") { Description = "Written to the ledger" };
        var adjust = new Command("credits", "Top up or deduct credits") { creditAccount, amount, reason };
        adjust.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            var balance = await a.AdjustCreditsAsync(p.GetValue(creditAccount)!, p.GetValue(amount), p.GetValue(reason), ct2);
            await Emit(p, new JsonObject { ["credits"] = balance }, () => stdout.WriteLineAsync(balance.ToString(CultureInfo.InvariantCulture)));
            return ExitCodes.Ok;
        }, ct));

        var keys = new Command("keys", "Create or revoke API keys");
        var keyAccount = new Argument<string>("accountId");
        var keyName = new Option<string?>("--name") { Description = "Key name" };
        var tier = new Option<string?>("--tier") { Description = "free, pro, unlimited or a configured tier" };
        var keyCreate = new Command("create", "Create a key (printed once)") { keyAccount, keyName, tier };
        var createLimits = new LimitOptions();
        foreach (var o in createLimits.All)
        {
            keyCreate.Options.Add(o);
        }

        keyCreate.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            var (keyId, apiKey) = await a.CreateKeyAsync(p.GetValue(keyAccount)!, p.GetValue(keyName), p.GetValue(tier), createLimits.Read(p), ct2);
            await Emit(p, new JsonObject { ["keyId"] = keyId, ["apiKey"] = apiKey }, () => stdout.WriteLineAsync(apiKey));
            return ExitCodes.Ok;
        }, ct));
        var keyId = new Argument<string>("keyId");
        var revoke = new Command("revoke", "Revoke a key") { keyId };
        revoke.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            await a.RevokeKeyAsync(p.GetValue(keyId)!, ct2);
            await Emit(p, new JsonObject { ["keyId"] = p.GetValue(keyId), ["revoked"] = true }, () => stdout.WriteLineAsync("revoked"));
            return ExitCodes.Ok;
        }, ct));
        keys.Subcommands.Add(keyCreate);
        keys.Subcommands.Add(revoke);
        keys.Subcommands.Add(KeyLimitsCommand());

        var audit = new Command("audit", "Check balance == sum(ledger) for every account");
        audit.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            var report = await a.AuditAsync(ct2);
            var ok = report["ok"]?.GetValue<bool>() == true;
            await Emit(p, report, () => stdout.WriteLineAsync(ok ? $"ok: {report["accounts"]} accounts, balances equal their ledgers" : "BROKEN: " + report["broken"]?.ToJsonString()));
            return ok ? ExitCodes.Ok : ExitCodes.Error;
        }, ct));

        admin.Subcommands.Add(accounts);
        admin.Subcommands.Add(adjust);
        admin.Subcommands.Add(keys);
        admin.Subcommands.Add(audit);
        return admin;
    }

    private Command Simple(string name, string description, Func<ParseResult, ReelgateClient, CancellationToken, Task<int>> run)
    {
        var command = new Command(name, description);
        command.SetAction((p, ct) => WithClient(p, (client, ct2) => run(p, client, ct2), ct));
        return command;
    }

    private CliSettings Settings(ParseResult p) =>
        CliSettings.Resolve(p.GetValue(_baseUrl), p.GetValue(_apiKey), p.GetValue(_adminKey), p.GetValue(_config), env);

    private Task<int> WithClient(ParseResult p, Func<ReelgateClient, CancellationToken, Task<int>> run, CancellationToken ct) => Guard(p, async () =>
    {
        var settings = Settings(p);
        if (settings.ApiKey is null)
        {
            throw new CliException(ExitCodes.Authentication, "no API key: pass --api-key, set REELGATE_API_KEY, or put apiKey in the config file");
        }

        using var client = ReelgateClient.Create(new ReelgateClientOptions { BaseUrl = settings.BaseUrl, ApiKey = settings.ApiKey });
        return await run(client, ct);
    });

    private Task<int> WithAdmin(ParseResult p, Func<ReelgateAdminClient, CancellationToken, Task<int>> run, CancellationToken ct) => Guard(p, async () =>
    {
        var settings = Settings(p);
        if (settings.AdminKey is null)
        {
            throw new CliException(ExitCodes.Authentication, "no admin key: pass --admin-key, set REELGATE_ADMIN_KEY, or put adminKey in the config file");
        }

        using var admin = new ReelgateAdminClient(new ReelgateClientOptions { BaseUrl = settings.BaseUrl, ApiKey = settings.AdminKey });
        return await run(admin, ct);
    });

    /// <summary>Turns every failure into a clear message (stderr, or JSON with --json) and its exit code.</summary>
    private async Task<int> Guard(ParseResult p, Func<Task<int>> run)
    {
        int code;
        string message;
        int? apiCode = null;
        try
        {
            return await run();
        }
        catch (CliException e)
        {
            (code, message) = (e.ExitCode, e.Message);
        }
        catch (ReelgateApiException e)
        {
            (code, message, apiCode) = (ExitCodes.For(e), Explain(e), e.Code);
        }
        catch (HttpRequestException e)
        {
            (code, message) = (ExitCodes.Unavailable, $"cannot reach the server: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            (code, message) = (ExitCodes.Interrupted, "interrupted");
        }
        catch (IOException e)
        {
            (code, message) = (ExitCodes.Error, e.Message);
        }

        if (p.GetValue(_json))
        {
            await stdout.WriteLineAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = apiCode, ["msg"] = message, ["exitCode"] = code } }.ToJsonString(Compact));
        }
        else
        {
            await stderr.WriteLineAsync("error: " + message);
        }

        return code;
    }

    private static string Explain(ReelgateApiException e) => e switch
    {
        ReelgateAuthenticationException => $"{e.ApiMessage} (401): check the key (--api-key / REELGATE_API_KEY, or --admin-key for admin commands)",
        ReelgateInsufficientCreditsException => $"{e.ApiMessage} (402): top up with 'reelgate admin credits <accountId> <amount>'",
        ReelgateRateLimitException r => $"{e.ApiMessage} (429){(r.RetryAfter is { } after ? $": try again in {after.TotalSeconds:0} s" : "")}",
        _ => $"{e.ApiMessage} ({e.Code})",
    };

    private Task Emit(ParseResult p, JsonNode json, Func<Task> human) =>
        p.GetValue(_json) ? stdout.WriteLineAsync(json.ToJsonString(Compact)) : human();

    private static JsonObject TaskJson(TaskInfo t) => new()
    {
        ["taskId"] = t.TaskId,
        ["model"] = t.Model,
        ["state"] = t.State,
        ["progress"] = t.Progress,
        ["resultUrls"] = new JsonArray(t.ResultUrls.Select(u => (JsonNode?)u).ToArray()),
        ["thumbnailUrl"] = t.ThumbnailUrl,
        ["failCode"] = t.FailCode,
        ["failMsg"] = t.FailMsg,
        ["creditsConsumed"] = t.CreditsConsumed,
        ["costTime"] = t.CostTime,
        ["seed"] = t.Seed,
        ["createTime"] = t.CreateTime,
        ["completeTime"] = t.CompleteTime,
    };

    private static JsonObject? ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>IProgress that runs its callback inline (no synchronization context hop).</summary>
    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
