using System.Net;
using System.Net.Sockets;
using Reelgate.Server.Callbacks;

namespace Reelgate.Server.Uploads;

/// <summary>
/// Fetches a client's <c>fileUrl</c> for an upload, SSRF-safe by the callback rules
/// (<see cref="CallbackAddressPolicy"/>): only http(s); every address the host resolves to is
/// checked at connect time (<see cref="SocketsHttpHandler.ConnectCallback"/>, so a DNS answer that
/// changes between check and connect does not slip through); redirects are followed by hand, at
/// most <see cref="MaxRedirects"/>, each target checked again; the whole fetch has
/// <see cref="Timeout"/>; the body is counted while it streams (<see cref="UploadService.SpoolAsync"/>).
/// Kept small and alone so a shared media fetcher can replace it.
/// </summary>
public sealed class RemoteMediaFetcher : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int MaxRedirects = 5;
    private readonly CallbackAddressPolicy _policy;
    private readonly HttpClient _http;

    public RemoteMediaFetcher(CallbackAddressPolicy policy)
    {
        _policy = policy;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectCheckedAsync,
        };
        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>The fetched bytes spooled to a temporary file, or why the URL could not be fetched (a sentence for the client).</summary>
    public async Task<(SpooledFile? File, string? Error)> FetchAsync(string url, UploadService uploads, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timeout);
        try
        {
            var uri = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u : null;
            for (var hop = 0; hop <= MaxRedirects; hop++)
            {
                if (uri is null || uri.Scheme is not ("http" or "https"))
                {
                    return (null, "fileUrl must be an absolute http or https URL");
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.UserAgent.ParseAdd("Reelgate-Uploads/1");
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    uri = new Uri(uri, location);
                    continue;
                }

                if (status is < 200 or >= 300)
                {
                    return (null, $"fileUrl answered HTTP {status}");
                }

                if (response.Content.Headers.ContentLength > UploadService.MaxBytes)
                {
                    return (SpooledFile.Oversized(), null);
                }

                await using var body = await response.Content.ReadAsStreamAsync(limit.Token);
                return (await uploads.SpoolAsync(body, limit.Token), null);
            }

            return (null, $"fileUrl redirected more than {MaxRedirects} times");
        }
        catch (HttpRequestException e) when (e.InnerException is FetchRefusedException refused)
        {
            return (null, "fileUrl is not allowed: " + refused.Message);
        }
        catch (HttpRequestException)
        {
            return (null, "fileUrl could not be fetched");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"fileUrl took longer than {Timeout.TotalSeconds:0} s");
        }
    }

    private async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            throw new FetchRefusedException("its host name does not resolve");
        }

        foreach (var address in addresses)
        {
            if (_policy.Refusal(host, address) is { } why)
            {
                throw new FetchRefusedException($"{why} ({address})");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class FetchRefusedException(string message) : IOException(message);
}
