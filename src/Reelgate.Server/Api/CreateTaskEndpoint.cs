using System.Text.Json;
using Reelgate.Server.Creation;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>POST /api/v1/jobs/createTask</c>: reads the body (400 for one that is not JSON), hands it to
/// <see cref="TaskCreator"/> and words its outcome in the envelope. Authentication and the rate
/// limit ran before, in <see cref="ApiKeyFilter"/>; the task is committed (durably) before the
/// answer is sent.
/// </summary>
public sealed class CreateTaskEndpoint(TaskCreator creator)
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public Task<IResult> HandleAsync(HttpContext http) =>
        WithRequestAsync(http, async request => ToEnvelope(await creator.CreateAsync(request, http.RequestAborted), http));

    /// <summary>
    /// <c>POST /api/v1/jobs/quote</c>: the createTask body's price after createTask's own checks
    /// (the same 400 and 422 answers), with the balance before and after; nothing is created or
    /// charged. <c>balanceAfter</c> below 0 means createTask would answer 402. <c>keyRoom</c> is
    /// what the key may still spend in its credit period (null when it has no credit limit); a
    /// <c>keyRoom</c> below <c>credits</c> means createTask would answer 402 key credit limit reached.
    /// </summary>
    public Task<IResult> QuoteAsync(HttpContext http, Core.Accounts.IAccountStore accounts, TimeProvider time) =>
        WithRequestAsync(http, async request =>
        {
            var result = await creator.QuoteAsync(request, http.RequestAborted);
            if (result.Status != CreateStatus.Quoted)
            {
                return ToEnvelope(result, http);
            }

            return ApiResults.Ok(await QuoteDataAsync(accounts, request.Key, result.Cost, time, http.RequestAborted), ApiJsonContext.Web.ApiEnvelopeQuoteData);
        });

    /// <summary>A quote's numbers around its price: the balance now and after, and the key's room under its credit limit (read from the key row, not the cache). REST and MCP share it.</summary>
    public static async Task<QuoteData> QuoteDataAsync(Core.Accounts.IAccountStore accounts, Security.AuthenticatedKey caller, long cost, TimeProvider time, CancellationToken ct)
    {
        var balance = await accounts.GetBalanceAsync(caller.AccountId, ct) ?? 0;
        long? room = null;
        if (await accounts.GetKeyAsync(caller.KeyId, ct) is { Key.Limits.CreditLimit: not null } key)
        {
            room = (await Core.Accounts.KeySpend.OfAsync(accounts, key.Key.KeyId, key.Key.Limits, time.GetUtcNow().ToUnixTimeMilliseconds(), ct)).Room;
        }

        return new QuoteData(cost, balance, balance - cost, room);
    }

    /// <summary>Reads the JSON body (400 when it is not JSON) into a create request for <paramref name="handle"/>.</summary>
    private static async Task<IResult> WithRequestAsync(HttpContext http, Func<CreateRequest, Task<IResult>> handle)
    {
        var caller = ApiCaller.Of(http);
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
            var request = new CreateRequest(caller.Key, doc.RootElement, http.Request.Headers["X-Request-ID"], $"{http.Request.Scheme}://{http.Request.Host}")
            {
                AdmittedTier = caller.Tier,
            };
            return await handle(request);
        }
    }

    /// <summary>createTask's 402 msg when the key's spend limit for its period is reached (the account balance is untouched).</summary>
    public const string KeyCreditLimitMessage = "key credit limit reached";

    /// <summary>The REST wording of every create outcome: the one place it is decided.</summary>
    public static IResult ToEnvelope(CreateResult result, HttpContext http) => result.Status switch
    {
        CreateStatus.Created or CreateStatus.Replayed => ApiResults.Ok(new CreateTaskData(result.TaskId!), ApiJsonContext.Web.ApiEnvelopeCreateTaskData),
        CreateStatus.InvalidRequest => ApiResults.Error(400, ApiResults.InvalidRequest),
        CreateStatus.UnknownModel => ApiResults.Error(422, "model is not supported"),
        CreateStatus.InvalidInput => ApiResults.Error(422, "validation error: " + result.Message),
        CreateStatus.Conflict => ApiResults.Error(409, "request conflict"),
        CreateStatus.ActiveTaskLimit => ApiResults.Error(409, "active task limit exceeded"),
        CreateStatus.InsufficientCredits => ApiResults.Error(402, "insufficient credits"),
        CreateStatus.KeyCreditLimit => ApiResults.Error(402, KeyCreditLimitMessage),
        CreateStatus.RateLimited or CreateStatus.RateLimiterUnavailable => ApiResults.RateLimited(http, result.RateLimit, result.Tier!),
        _ => throw new InvalidOperationException($"create outcome {result.Status} has no REST wording"),
    };
}
