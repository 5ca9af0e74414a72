using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Reelgate.Web.Tests;

/// <summary>
/// SIGTERM under load, on the real server process: no new claims, running generations finish
/// within the grace or go back to the queue at once; after a restart every task ends in success,
/// charged once, nothing lost.
/// </summary>
public sealed class GracefulShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task Sigterm_WithGrace_RunningGenerationsFinish_TheRestWait_NothingLostOrChargedTwice() =>
        RunAsync(grace: "00:01:00", expectReleased: false, resolution: "480p", duration: 4);

    [Fact]
    public Task Sigterm_WithoutGrace_RunningTasksAreReleasedAtOnce_NotAfterTheirLease() =>
        RunAsync(grace: "00:00:00", expectReleased: true, resolution: "720p", duration: 8);

    private static async Task RunAsync(string grace, bool expectReleased, string resolution, int duration)
    {
        var settings = new Dictionary<string, string>
        {
            ["Reelgate__Workers"] = "2",
            ["Reelgate__ShutdownGrace"] = grace,
            // A lease far longer than the test: a task not released at shutdown could not be
            // claimed again in time, so finishing proves the release.
            ["Reelgate__Lease"] = "00:10:00",
        };
        var data = Directory.CreateTempSubdirectory("reelgate-sigterm-").FullName;
        try
        {
            string apiKey;
            var ids = new List<string>();
            await using (var first = await WebServer.StartAsync(settings, data))
            {
                using var admin = first.Client(WebServer.AdminKey);
                var account = (string)(await WebServer.PostJsonAsync(admin, "api/admin/accounts", """{"name":"drain","credits":100000}"""))["accountId"]!;
                apiKey = (string)(await WebServer.PostJsonAsync(admin, $"api/admin/accounts/{account}/keys", """{"tier":"unlimited"}"""))["apiKey"]!;
                using var client = first.Client(apiKey);
                for (var i = 0; i < 6; i++)
                {
                    ids.Add((string)(await WebServer.PostJsonAsync(client, "api/v1/jobs/createTask",
                        $$$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"draining {{{i}}}","resolution":"{{{resolution}}}","duration":{{{duration}}}}}"""))["taskId"]!);
                }

                // Wait until generations are under way, then SIGTERM.
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (!first.Log.Any(l => l.Contains("claimed", StringComparison.Ordinal)))
                {
                    Assert.True(DateTime.UtcNow < deadline, "no task was claimed");
                    await Task.Delay(50, Ct);
                }

                await Task.Delay(100, Ct);
                using (var kill = Process.Start("kill", ["-TERM", first.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync(Ct);
                }

                var exitDeadline = DateTime.UtcNow.AddSeconds(120);
                while (!first.HasExited)
                {
                    Assert.True(DateTime.UtcNow < exitDeadline, "the server did not exit after SIGTERM");
                    await Task.Delay(100, Ct);
                }

                var log = first.Log.ToList();
                Assert.Contains(log, l => l.Contains("shutting down: no new claims", StringComparison.Ordinal));
                Assert.DoesNotContain(log, l => l.Contains(" failed: ", StringComparison.Ordinal));
                if (expectReleased)
                {
                    Assert.Contains(log, l => l.Contains("released to the queue (True)", StringComparison.Ordinal));
                }
                else
                {
                    Assert.DoesNotContain(log, l => l.Contains("released to the queue", StringComparison.Ordinal));
                    Assert.Contains(log, l => l.Contains("succeeded", StringComparison.Ordinal));
                }
            }

            await using var second = await WebServer.StartAsync(settings, data);
            using var again = second.Client(apiKey);
            var end = DateTime.UtcNow.AddSeconds(120);
            var states = new Dictionary<string, JsonNode>();
            while (states.Count < ids.Count)
            {
                Assert.True(DateTime.UtcNow < end, $"only {states.Count} of {ids.Count} tasks ended after the restart");
                foreach (var id in ids.Where(id => !states.ContainsKey(id)))
                {
                    var info = JsonNode.Parse(await again.GetStringAsync("api/v1/jobs/recordInfo?taskId=" + id, Ct))!["data"]!;
                    if ((string)info["state"]! != "waiting")
                    {
                        states[id] = info;
                    }
                }

                await Task.Delay(250, Ct);
            }

            Assert.All(states.Values, s => Assert.Equal("success", (string)s["state"]!));
            var cost = states.Values.Sum(s => (long)s["creditsConsumed"]!);
            Assert.Equal(100_000 - cost, (long)JsonNode.Parse(await again.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!);
            using var admin2 = second.Client(WebServer.AdminKey);
            var audit = JsonNode.Parse(await admin2.GetStringAsync("api/admin/audit", Ct))!["data"]!;
            Assert.True((bool)audit["ok"]!, audit.ToJsonString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }


}
