using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reelgate.Web.Tests;

/// <summary>The real server (its Release/Debug build output) as a child process on 127.0.0.1, with a fresh data directory.</summary>
public sealed class WebServer : IAsyncDisposable
{
    public const string AdminKey = "web-test-admin-key-0123456789";
    public const string AdminEmail = "root@example.com";
    public const long SignupCredits = 1000;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private readonly bool _ownsData;

    private WebServer(Process process, Uri baseAddress, string data, bool ownsData)
    {
        _ownsData = ownsData;
        _process = process;
        BaseAddress = baseAddress;
        DataDirectory = data;
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public IEnumerable<string> Log => _log;

    public static string RepoRoot
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            return tfm.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        }
    }

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a server; <paramref name="role"/> <c>worker</c> has no HTTP port, so readiness is read from its log.</summary>
    public static async Task<WebServer> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null, string? role = null)
    {
        var dll = Path.Combine(RepoRoot, "src", "Reelgate.Server", "bin", Configuration, "net10.0", "reelgate-server.dll");
        Assert.True(File.Exists(dll), $"server not built at {dll}");
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var data = dataDirectory ?? Directory.CreateTempSubdirectory("reelgate-web-").FullName;
        List<string> args = [dll, "--urls", $"http://127.0.0.1:{port}"];
        if (role is not null)
        {
            args.AddRange(["--role", role]);
        }

        var psi = new ProcessStartInfo("dotnet", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.Environment["Reelgate__DataDirectory"] = data;
        psi.Environment["Reelgate__AdminKey"] = AdminKey;
        psi.Environment["Reelgate__Workers"] = "1";
        psi.Environment["Reelgate__Web__SignupCredits"] = SignupCredits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["Reelgate__Web__AdminEmails__0"] = AdminEmail;
        psi.Environment["Reelgate__Web__LogPasswordResetLinks"] = "true";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi)!;
        var server = new WebServer(process, new Uri($"http://127.0.0.1:{port}/"), data, dataDirectory is null);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < 300; i++)
        {
            if (role == "worker")
            {
                if (server._log.Any(l => l.Contains("worker(s) on this node", StringComparison.Ordinal)))
                {
                    return server;
                }

                Assert.False(process.HasExited, "worker exited: " + string.Join('\n', server._log));
                await Task.Delay(100);
                continue;
            }

            try
            {
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.False(process.HasExited, "server exited: " + string.Join('\n', server._log));
            await Task.Delay(100);
        }

        throw new TimeoutException("server did not answer /healthz: " + string.Join('\n', server._log));
    }

    /// <summary>An HttpClient on this server with a Bearer key (API or admin).</summary>
    public HttpClient Client(string key, int timeoutSeconds = 60)
    {
        var c = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        c.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    /// <summary>POSTs JSON, asserts success, returns the envelope's <c>data</c>.</summary>
    public static async Task<System.Text.Json.Nodes.JsonNode> PostJsonAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.Nodes.JsonNode.Parse(body)!["data"]!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!_ownsData)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
