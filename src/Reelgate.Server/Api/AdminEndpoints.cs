using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Reelgate.Core.Accounts;
using Reelgate.Server.Options;
using Reelgate.Server.OpenApi;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>The operators' API under <c>/api/admin</c>, authorized by the admin key (API keys are refused).</summary>
public static class AdminEndpoints
{
    /// <summary>The longest account or key name (the OpenAPI request schemas say so too).</summary>
    internal const int MaxNameLength = 200;

    /// <summary>The longest credits change reason.</summary>
    internal const int MaxReasonLength = 500;

    /// <summary>A top-up refused by the bound; the credits reserved by waiting tasks count (docs/api.md).</summary>
    private static readonly string BalanceLimitMessage = $"validation error: the balance would exceed {Credits.MaxBalance} credits";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Admin").AddEndpointFilter(async (ctx, next) =>
            ctx.HttpContext.RequestServices.GetRequiredService<AdminKeyGuard>().IsAdmin(ctx.HttpContext.Request.Headers.Authorization.Count == 1 ? ctx.HttpContext.Request.Headers.Authorization.ToString() : null)
                ? await next(ctx)
                : ApiResults.Error(401, ApiResults.AuthenticationFailed));

        admin.MapPost("/accounts", CreateAccountAsync).Documented<AccountCreatedData>("Create an account with starting credits (0 to 10^15)", 400, 401, 422, 500).JsonBody<CreateAccountRequest>();
        admin.MapGet("/accounts/{accountId}", GetAccountAsync).Documented<AccountData>("An account with its keys (prefixes only)", 401, 404, 500);
        admin.MapPost("/accounts/{accountId}/credits", AdjustCreditsAsync).Documented<CreditsData>("Top up (positive, never past 10^15 credits) or deduct (negative, never below zero)", 400, 401, 402, 404, 422, 500).JsonBody<AdjustCreditsRequest>();
        admin.MapPost("/accounts/{accountId}/keys", CreateKeyAsync).Documented<KeyCreatedData>("Create an API key (shown once)", 400, 401, 404, 422, 500).JsonBody<CreateKeyRequest>(optional: true);
        admin.MapPost("/accounts/{accountId}/disable", DisableAsync).Documented<object>("Disable an account: its keys are refused", 401, 404, 500);
        admin.MapAdminUsage();
        admin.MapGet("/keys/{keyId}", GetKeyAsync).Documented<KeyData>("A key (never the key itself) with its account and limits", 401, 404, 500);
        admin.MapPatch("/keys/{keyId}", PatchKeyAsync).Documented<KeyData>("Set or clear a key's limits: creditLimit + creditPeriod, allowedIps, expiresAt (absent keeps, null clears)", 400, 401, 404, 422, 500).JsonBody<KeyLimitsRequest>();
        admin.MapDelete("/keys/{keyId}", RevokeKeyAsync).Documented<object>("Revoke an API key", 401, 404, 500);
        admin.MapGet("/audit", AuditAsync).Documented<AuditData>("Check balance == sum(ledger) for every account", 401, 500);
        admin.MapPost("/accounts/{accountId}/webhook-secret", RotateWebhookSecretAsync).Documented<WebhookSecretData>("Create or rotate the callback signing secret", 401, 404, 500);
        admin.MapGet("/tasks/{taskId}/callbacks", CallbacksAsync).Documented<IReadOnlyList<CallbackDeliveryData>>("A task's callback deliveries and every try", 401, 500);
        admin.MapGet("/tasks/{taskId}/attempts", AttemptsAsync).Documented<IReadOnlyList<EngineAttemptData>>("A task's engine attempts: engine, upstream id, outcome, usage, times", 401, 500);
        admin.MapGet("/engines", EnginesAsync).Documented<IReadOnlyList<EngineStatusData>>("Engines on this node with their circuit breakers", 401, 500);
        return app;
    }

    private static async Task<IResult> CreateAccountAsync(HttpContext http, IAccountStore accounts, TimeProvider time)
    {
        var (body, error) = await JsonRequest.ReadAsync(http, ApiJsonContext.Web.CreateAccountRequest);
        if (error is not null)
        {
            return error;
        }

        if (body!.Name is not { Length: > 0 and <= MaxNameLength } name || string.IsNullOrWhiteSpace(name))
        {
            return ApiResults.Error(422, $"validation error: name must be a string of 1 to {MaxNameLength} characters");
        }

        if (body.Credits is < 0 or > Credits.MaxBalance)
        {
            return ApiResults.Error(422, $"validation error: credits must be a whole number from 0 to {Credits.MaxBalance}");
        }

        var id = "acc_" + Guid.CreateVersion7().ToString("N");
        await accounts.CreateAccountAsync(id, name.Trim(), body.Credits ?? 0, Now(time), CancellationToken.None);
        return ApiResults.Ok(new AccountCreatedData(id), ApiJsonContext.Web.ApiEnvelopeAccountCreatedData);
    }

    private static async Task<IResult> GetAccountAsync(string accountId, HttpContext http, IAccountStore accounts)
    {
        var account = await accounts.GetAccountAsync(accountId, http.RequestAborted);
        if (account is null)
        {
            return ApiResults.Error(404, "account not found");
        }

        var keys = account.Keys.Select(k => new AccountKeyData(k.KeyId, k.Prefix, k.Name, k.Tier, k.Revoked)).ToList();
        return ApiResults.Ok(new AccountData(account.AccountId, account.Name, account.Credits, account.Disabled, keys), ApiJsonContext.Web.ApiEnvelopeAccountData);
    }

    private static async Task<IResult> AdjustCreditsAsync(string accountId, HttpContext http, IAccountStore accounts, TimeProvider time)
    {
        var (body, error) = await JsonRequest.ReadAsync(http, ApiJsonContext.Web.AdjustCreditsRequest);
        if (error is not null)
        {
            return error;
        }

        if (body!.Amount is not { } amount || amount == 0 || amount is < -Credits.MaxBalance or > Credits.MaxBalance)
        {
            return ApiResults.Error(422, $"validation error: amount must be a non-zero whole number from -{Credits.MaxBalance} to {Credits.MaxBalance} (negative to deduct)");
        }

        var reason = string.IsNullOrWhiteSpace(body.Reason) ? (amount > 0 ? "top-up" : "deduction") : body.Reason.Trim();
        if (reason.Length > MaxReasonLength)
        {
            return ApiResults.Error(422, $"validation error: reason must be at most {MaxReasonLength} characters");
        }

        var result = await accounts.AdjustCreditsAsync(accountId, amount, reason, Now(time), CancellationToken.None);
        return result.Status switch
        {
            CreditAdjustStatus.AccountNotFound => ApiResults.Error(404, "account not found"),
            CreditAdjustStatus.InsufficientCredits => ApiResults.Error(402, "insufficient credits"),
            CreditAdjustStatus.BalanceLimit => ApiResults.Error(422, BalanceLimitMessage),
            _ => ApiResults.Ok(new CreditsData(result.Credits), ApiJsonContext.Web.ApiEnvelopeCreditsData),
        };
    }

    private static async Task<IResult> CreateKeyAsync(string accountId, HttpContext http, ApiKeyIssuer issuer, IOptions<ReelgateOptions> options, TimeProvider time)
    {
        var (body, error) = await JsonRequest.ReadAsync(http, ApiJsonContext.Web.CreateKeyRequest);
        if (error is not null)
        {
            return error;
        }

        var name = string.IsNullOrWhiteSpace(body!.Name) ? "default" : body.Name.Trim();
        if (name.Length > MaxNameLength)
        {
            return ApiResults.Error(422, $"validation error: name must be at most {MaxNameLength} characters");
        }

        var tiers = options.Value.Tiers;
        var tier = body.Tier ?? "free";
        if (!tiers.ContainsKey(tier))
        {
            return ApiResults.Error(422, $"validation error: tier must be one of {string.Join(", ", tiers.Keys)}");
        }

        var (limits, invalid) = KeyLimitsInput.Validate(body.CreditLimit, body.CreditPeriod, body.AllowedIps, body.ExpiresAt, Now(time));
        if (invalid is not null)
        {
            return ApiResults.Error(422, invalid);
        }

        if (await issuer.IssueAsync(accountId, name, tier, limits!, CancellationToken.None) is not { } issued)
        {
            return ApiResults.Error(404, "account not found");
        }

        return ApiResults.Ok(new KeyCreatedData(issued.KeyId, issued.ApiKey), ApiJsonContext.Web.ApiEnvelopeKeyCreatedData);
    }

    /// <summary>Changes a key's limits; the key's cache entries on this node are dropped (other nodes within <c>KeyCacheTtl</c>).</summary>
    private static async Task<IResult> PatchKeyAsync(string keyId, HttpContext http, IAccountStore accounts, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        var (body, fields, error) = await JsonRequest.ReadWithFieldsAsync(http, ApiJsonContext.Web.KeyLimitsRequest);
        if (error is not null)
        {
            return error;
        }

        if (await accounts.GetKeyAsync(keyId, http.RequestAborted) is not { } found)
        {
            return ApiResults.Error(404, "key not found");
        }

        var (limits, invalid) = KeyLimitsInput.Patch(found.Key.Limits, fields, body!, Now(time));
        if (invalid is not null)
        {
            return ApiResults.Error(422, invalid);
        }

        if (!await accounts.SetKeyLimitsAsync(keyId, limits!, CancellationToken.None))
        {
            return ApiResults.Error(404, "key not found");
        }

        authenticator.Evict(found.AccountId);
        return ApiResults.Ok(KeyData.From(found.AccountId, found.Key with { Limits = limits! }), ApiJsonContext.Web.ApiEnvelopeKeyData);
    }

    private static async Task<IResult> GetKeyAsync(string keyId, HttpContext http, IAccountStore accounts) =>
        await accounts.GetKeyAsync(keyId, http.RequestAborted) is { } found
            ? ApiResults.Ok(KeyData.From(found.AccountId, found.Key), ApiJsonContext.Web.ApiEnvelopeKeyData)
            : ApiResults.Error(404, "key not found");

    private static async Task<IResult> RevokeKeyAsync(string keyId, IAccountStore accounts, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        var accountId = await accounts.RevokeKeyAsync(keyId, Now(time), CancellationToken.None);
        if (accountId is null)
        {
            return ApiResults.Error(404, "key not found");
        }

        authenticator.Evict(accountId);
        return ApiResults.OkNull();
    }

    private static async Task<IResult> DisableAsync(string accountId, IAccountStore accounts, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        if (!await accounts.DisableAccountAsync(accountId, Now(time), CancellationToken.None))
        {
            return ApiResults.Error(404, "account not found");
        }

        authenticator.Evict(accountId);
        return ApiResults.OkNull();
    }

    private static async Task<IResult> AuditAsync(HttpContext http, IAccountStore accounts)
    {
        var entries = await accounts.AuditAsync(http.RequestAborted);
        var broken = entries.Where(e => !e.Ok).Select(e => new AuditAccountData(e.AccountId, e.Balance, e.LedgerSum)).ToList();
        return ApiResults.Ok(new AuditData(broken.Count == 0, entries.Count, broken), ApiJsonContext.Web.ApiEnvelopeAuditData);
    }

    /// <summary>Creates or rotates the account's callback signing secret; the only time it is shown.</summary>
    private static async Task<IResult> RotateWebhookSecretAsync(string accountId, Reelgate.Core.Callbacks.ICallbackOutbox outbox)
    {
        var secret = Reelgate.Core.Callbacks.WebhookSigner.NewSecret();
        return await outbox.RotateSecretAsync(accountId, secret, CancellationToken.None)
            ? ApiResults.Ok(new WebhookSecretData(secret), ApiJsonContext.Web.ApiEnvelopeWebhookSecretData)
            : ApiResults.Error(404, "account not found");
    }

    /// <summary>The task's callback deliveries and every try (status, error, duration).</summary>
    private static async Task<IResult> CallbacksAsync(string taskId, HttpContext http, Reelgate.Core.Callbacks.ICallbackOutbox outbox)
    {
        var views = await outbox.ListByTaskAsync(taskId, http.RequestAborted);
        IReadOnlyList<CallbackDeliveryData> data = views.Select(v => new CallbackDeliveryData(v.Id, v.Url, v.State, v.Attempts, v.NextAttemptAt,
            v.History.Select(a => new CallbackAttemptData(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMs)).ToList())).ToList();
        return ApiResults.Ok(data, ApiJsonContext.Web.ApiEnvelopeIReadOnlyListCallbackDeliveryData);
    }

    private static async Task<IResult> AttemptsAsync(string taskId, HttpContext http, Reelgate.Core.Engines.IEngineAttempts attempts)
    {
        var list = await attempts.ListAsync(taskId, http.RequestAborted);
        IReadOnlyList<EngineAttemptData> data = list.Select(a => new EngineAttemptData(a.Id, a.Claim, a.Engine, a.UpstreamId, a.Outcome, a.FailCode, a.Detail, a.Usage, a.StartedAt, a.EndedAt)).ToList();
        return ApiResults.Ok(data, ApiJsonContext.Web.ApiEnvelopeIReadOnlyListEngineAttemptData);
    }

    private static IResult EnginesAsync(Workers.EngineRegistry engines, Workers.EngineRouter router)
    {
        var breakers = router.Breakers;
        IReadOnlyList<EngineStatusData> data = engines.All.Select(e =>
        {
            var health = e.CheckHealth();
            var b = breakers.GetValueOrDefault(e.Name);
            return new EngineStatusData(e.Name, health.Available, health.Detail, b.Failures, router.IsOpen(e.Name), b.OpenUntil?.ToUnixTimeMilliseconds());
        }).OrderBy(e => e.Engine, StringComparer.Ordinal).ToList();
        return ApiResults.Ok(data, ApiJsonContext.Web.ApiEnvelopeIReadOnlyListEngineStatusData);
    }

    private static long Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}
