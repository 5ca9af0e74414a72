using System.Diagnostics;
using Microsoft.Extensions.Options;
using Reelgate.Core.Callbacks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Callbacks;

/// <summary>
/// Sends one signed callback POST. Only http/https; no redirects followed (a 3xx is a failed
/// try); no proxy; the host is resolved and every address checked against
/// <see cref="CallbackAddressPolicy"/> before the request, and the address actually connected to
/// is checked again at connect time (so DNS rebinding cannot slip through).
/// </summary>
public sealed class CallbackSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly CallbackAddressPolicy _policy;
    private readonly TimeProvider _time;

    public CallbackSender(CallbackAddressPolicy policy, TimeProvider time, IOptions<ReelgateOptions> options)
    {
        _policy = policy;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = policy.ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = options.Value.Callbacks.Timeout };
    }

    public async Task<CallbackAttempt> SendAsync(string url, string messageId, string secret, byte[] body, CancellationToken ct)
    {
        var started = _time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        CallbackAttempt Result(int? status, string? error) => new(started.ToUnixTimeMilliseconds(), status, error, watch.ElapsedMilliseconds);

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return Result(null, "refused: only http and https URLs are called");
        }

        if (await _policy.RefusalAsync(uri.IdnHost, ct) is { } refusal)
        {
            return Result(null, "refused: " + refusal);
        }

        var timestamp = started.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigner.Sign(secret, messageId, timestamp, body));
        request.Headers.UserAgent.ParseAdd("Reelgate-Callbacks/1");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return Result(status, status is >= 200 and < 300 ? null : status is >= 300 and < 400 ? "redirect not followed" : "non-2xx response");
        }
        catch (HttpRequestException e) when (e.InnerException is AddressRefusedException refused)
        {
            return Result(null, "refused: " + refused.Message);
        }
        catch (HttpRequestException e)
        {
            return Result(null, "connection failed: " + e.HttpRequestError);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return Result(null, "timed out");
        }
    }

    public void Dispose() => _http.Dispose();
}
