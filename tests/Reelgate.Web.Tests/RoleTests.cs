using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Reelgate.Web.Tests;

/// <summary><c>--role api|worker</c>: separate processes on one data directory.</summary>
public sealed class RoleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApiNode_GeneratesNothing_WorkerNode_HasNoPort_AndTogetherTheyFinishTasks()
    {
        var data = Directory.CreateTempSubdirectory("reelgate-roles-").FullName;
        try
        {
            var fast = new Dictionary<string, string> { ["Reelgate__FallbackPoll"] = "00:00:00.200" };
            await using var api = await WebServer.StartAsync(fast, data, role: "api");
            using var admin = new HttpClient { BaseAddress = api.BaseAddress };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", WebServer.AdminKey);
            var account = (string)JsonNode.Parse(await (await admin.PostAsync("api/admin/accounts", Json("""{"name":"roles","credits":10000}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["accountId"]!;
            var key = (string)JsonNode.Parse(await (await admin.PostAsync($"api/admin/accounts/{account}/keys", Json("""{"tier":"unlimited"}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["apiKey"]!;
            using var client = new HttpClient { BaseAddress = api.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var health = JsonNode.Parse(await client.GetStringAsync("healthz", Ct))!;
            Assert.Equal(0, (int)health["workers"]!);

            var id = (string)JsonNode.Parse(await (await client.PostAsync("api/v1/jobs/createTask",
                Json("""{"model":"seedance-2.0-text-to-video","input":{"prompt":"two roles","resolution":"480p","duration":4}}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["taskId"]!;
            await Task.Delay(1500, Ct);
            Assert.Equal("waiting", await StateAsync(client, id)); // nobody generates on an api node

            await using var worker = await WebServer.StartAsync(fast, data, role: "worker");
            Assert.Empty(ListeningPorts(worker.ProcessId));
            string state = "waiting";
            for (var i = 0; i < 300 && state == "waiting"; i++)
            {
                await Task.Delay(100, Ct);
                state = await StateAsync(client, id);
            }

            Assert.Equal("success", state);
            Assert.Contains(worker.Log, l => l.Contains("role worker", StringComparison.Ordinal));
            Assert.DoesNotContain(worker.Log, l => l.Contains("Now listening", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AnUnknownRole_StopsTheServer_WithAMessageNamingTheKey()
    {
        var dll = Path.Combine(WebServer.RepoRoot, "src", "Reelgate.Server", "bin", new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name, "net10.0", "reelgate-server.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "--role", "frontend"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["Reelgate__DataDirectory"] = Path.Combine(Path.GetTempPath(), "reelgate-role-" + Guid.NewGuid().ToString("N"));
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("Reelgate:Role is 'frontend'", stderr, StringComparison.Ordinal);
    }

    private static async Task<string> StateAsync(HttpClient client, string id) =>
        (string)JsonNode.Parse(await client.GetStringAsync($"api/v1/jobs/recordInfo?taskId={id}", Ct))!["data"]!["state"]!;

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    /// <summary>TCP ports the process listens on (its socket inodes in LISTEN state in /proc/net/tcp and tcp6).</summary>
    private static List<int> ListeningPorts(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target[8..^1]);
            }
        }

        var ports = new List<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f[3] == "0A" && inodes.Contains(f[9]))
                {
                    ports.Add(int.Parse(f[1][(f[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }
}
