using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Reelgate.Core.Accounts;

namespace Reelgate.Bench;

/// <summary>The Release server as a child process on loopback with a fresh data directory.</summary>
public sealed class ServerUnderTest : IDisposable
{
    public const string AdminKey = "bench-admin-key-0123456789";
    private readonly Process _process;

    private ServerUnderTest(Process process, int port, string dataDirectory, TimeSpan coldStart)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
        ColdStart = coldStart;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>Process start to the first 200 from /healthz.</summary>
    public TimeSpan ColdStart { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public static async Task<ServerUnderTest> StartAsync(string serverDll, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "reelgate-bench-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["Reelgate__DataDirectory"] = data;
        psi.Environment["Reelgate__AdminKey"] = AdminKey;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in settings)
        {
            psi.Environment[k] = v;
        }

        var watch = Stopwatch.StartNew();
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return new ServerUnderTest(p, port, data, watch.Elapsed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or the first request is slow (JIT on a busy machine).
            }

            await Task.Delay(5);
        }

        p.Kill();
        throw new TimeoutException("server did not start");
    }

    /// <summary>
    /// CPU time (user + system) the server process has used so far, in seconds: per request, a
    /// measure that the other work on a shared machine disturbs far less than requests/s.
    /// </summary>
    public double CpuSeconds()
    {
        // /proc/PID/stat: the command may contain spaces, so fields are counted after its ')';
        // utime and stime (fields 14 and 15) are then at 11 and 12, in clock ticks of 1/100 s.
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Resident set size of the server process, in MB.</summary>
    public double RssMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line[6..].Replace("kB", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return 0;
    }

    /// <summary>
    /// Creates an account with credits (at most <see cref="Credits.MaxBalance"/>, the bound the
    /// admin API enforces) and an <c>unlimited</c> key; returns the key.
    /// </summary>
    /// <summary>A new account with these credits and one key of tier unlimited; with <paramref name="monthlyLimit"/>, the key has that credit limit per UTC month.</summary>
    public async Task<string> FundedKeyAsync(long credits, long? monthlyLimit = null)
    {
        credits = Math.Min(credits, Credits.MaxBalance);
        using var admin = new HttpClient { BaseAddress = BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        var acc = await (await admin.PostAsJsonAsync("/api/admin/accounts", new { name = "bench", credits })).Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)acc!["data"]!["accountId"]!;
        var body = monthlyLimit is { } limit
            ? (object)new { name = "bench-limited", tier = "unlimited", creditLimit = limit, creditPeriod = "month" }
            : new { name = "bench", tier = "unlimited" };
        var key = await (await admin.PostAsJsonAsync($"/api/admin/accounts/{id}/keys", body)).Content.ReadFromJsonAsync<JsonObject>();
        return (string)key!["data"]!["apiKey"]!;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
