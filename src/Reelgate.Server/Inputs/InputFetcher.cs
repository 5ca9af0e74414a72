using System.Net;
using Microsoft.Extensions.Options;
using Reelgate.Core.Media;
using Reelgate.Server.Callbacks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Inputs;

/// <summary>
/// Fetches a remote media input (SSRF-safe), with the callback sender's rules: only http and
/// https; no proxy, no cookies; the host is checked against <see cref="CallbackAddressPolicy"/>
/// (with <c>Reelgate:Inputs:AllowedHosts</c>) before each request and the addresses actually
/// connected to are checked again at connect time (DNS rebinding); redirects are followed by
/// hand, at most <see cref="MaxRedirects"/>, each target checked the same way; the whole fetch
/// has <c>Reelgate:Inputs:FetchTimeout</c>; the kind's size limit is enforced while the body
/// streams (a larger <c>Content-Length</c> is refused before reading). Remote misbehaviour is a
/// <see cref="FetchOutcome"/> problem, never an exception; only the caller's cancellation
/// (shutdown, lost lease) throws.
/// </summary>
public sealed class InputFetcher : IDisposable
{
    public const int MaxRedirects = 5;

    private readonly HttpClient _http;
    private readonly CallbackAddressPolicy _policy;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public InputFetcher(IOptions<ReelgateOptions> options, TimeProvider time)
    {
        _policy = CallbackAddressPolicy.WithAllowedHosts(options.Value.Inputs.AllowedHosts);
        _time = time;
        _timeout = options.Value.Inputs.FetchTimeout;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = _policy.ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Reelgate-Inputs/1");
    }

    /// <summary>Fetches <paramref name="url"/> into <paramref name="destination"/> (created or replaced), within the kind's size limit (the largest of all when the kind is not known yet, as for an upload).</summary>
    public async Task<FetchOutcome> FetchAsync(string url, MediaKind? kind, string destination, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        FetchOutcome outcome;
        try
        {
            outcome = await FollowAsync(url, MediaLimits.MaxBytes(kind), destination, linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            outcome = FetchOutcome.Refused($"could not be fetched (no complete answer within {_timeout.TotalSeconds:0.###} s)");
        }
        catch (HttpRequestException e) when (e.InnerException is AddressRefusedException refused)
        {
            outcome = FetchOutcome.Refused($"could not be fetched (refused: {refused.Message})");
        }
        catch (HttpRequestException e)
        {
            outcome = FetchOutcome.Refused($"could not be fetched (connection failed: {e.HttpRequestError})");
        }
        catch (IOException)
        {
            // The body broke off mid-stream (the server closed or reset the connection).
            outcome = FetchOutcome.Refused("could not be fetched (the connection broke off)");
        }
        finally
        {
            if (ct.IsCancellationRequested)
            {
                TryDelete(destination);
            }
        }

        if (!outcome.Ok)
        {
            TryDelete(destination);
        }

        return outcome;
    }

    private async Task<FetchOutcome> FollowAsync(string url, long maxBytes, string destination, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return FetchOutcome.Refused("could not be fetched (only http and https URLs are fetched)");
        }

        for (var redirects = 0; ; redirects++)
        {
            if (await _policy.RefusalAsync(uri.IdnHost, ct) is { } refusal)
            {
                return FetchOutcome.Refused($"could not be fetched (refused: {refusal})");
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && status != 304)
            {
                if (redirects == MaxRedirects)
                {
                    return FetchOutcome.Refused($"could not be fetched (more than {MaxRedirects} redirects)");
                }

                if (response.Headers.Location is not { } location)
                {
                    return FetchOutcome.Refused($"could not be fetched (HTTP {status} without a Location)");
                }

                var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                if (next.Scheme is not ("http" or "https"))
                {
                    return FetchOutcome.Refused("could not be fetched (redirected to a URL that is not http or https)");
                }

                uri = next;
                continue;
            }

            if (status is < 200 or >= 300)
            {
                return FetchOutcome.Refused($"could not be fetched (HTTP {status})");
            }

            if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
            {
                return FetchOutcome.TooLarge(maxBytes);
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await LimitedCopy.ToFileAsync(body, destination, maxBytes, ct);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The claim's input directory is deleted whole at the end of the run.
        }
    }

    public void Dispose() => _http.Dispose();
}
