using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace Reelgate.Client;

/// <summary>
/// The client's retry rules, as one Polly pipeline (Microsoft.Extensions.Http.Resilience):
/// <list type="bullet">
/// <item>429: retried after its <c>Retry-After</c> (nothing was done or charged), for any method,
/// unless Retry-After is longer than <see cref="ReelgateClientOptions.MaxRetryAfter"/>.</item>
/// <item>Network errors, timeouts and 5xx: retried with exponential back-off for GET/HEAD, and
/// for POST only when the request carries an <c>X-Request-ID</c>, so the server recognises a
/// retry of a create it already committed and answers with the same task instead of charging
/// again.</item>
/// </list>
/// </summary>
public static class ReelgateResilience
{
    /// <summary>The header that makes a POST safe to retry.</summary>
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>Adds the retry strategy to a pipeline builder.</summary>
    /// <param name="builder">The pipeline to add to.</param>
    /// <param name="options">The client settings (retries, delays).</param>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddReelgateRetry(this ResiliencePipelineBuilder<HttpResponseMessage> builder, ReelgateClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(0, options.MaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            ShouldRetryAfterHeader = false, // the delay generator below reads Retry-After itself
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage(), options)),
            DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
        });
    }

    /// <summary>Builds the standalone pipeline used when the client is created without DI.</summary>
    /// <param name="options">The client settings.</param>
    public static ResiliencePipeline<HttpResponseMessage> Build(ReelgateClientOptions options) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>().AddReelgateRetry(options).Build();

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, ReelgateClientOptions options)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } limited)
        {
            var wait = RetryAfter(limited);
            return wait is null || wait <= options.MaxRetryAfter;
        }

        var transient = outcome.Exception is HttpRequestException or IOException or TimeoutException
            || (outcome.Exception is OperationCanceledException && outcome.Exception.InnerException is TimeoutException)
            || outcome.Result is { StatusCode: >= HttpStatusCode.InternalServerError };
        if (!transient)
        {
            return false;
        }

        if (request is null)
        {
            return false;
        }

        return request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
            || (request.Method == HttpMethod.Post && request.Headers.Contains(RequestIdHeader));
    }

    /// <summary>The wait a 429 asks for (Retry-After as seconds or a date), else null (exponential back-off).</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is not { StatusCode: HttpStatusCode.TooManyRequests } || response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
