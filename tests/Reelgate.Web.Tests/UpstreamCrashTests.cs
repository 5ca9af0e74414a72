using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reelgate.Emulators.ModelArk;

namespace Reelgate.Web.Tests;

/// <summary>
/// The worst moment to die: the upstream has accepted the task, and Reelgate is killed (-9)
/// before it hears the upstream id. After a restart the task must finish on that upstream task,
/// not on a second one (the upstream would bill twice), and the client is charged once.
/// </summary>
public sealed class UpstreamCrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KilledBetweenUpstreamCreateAndRecording_RestartFindsTheUpstreamTask_NoSecondOne()
    {
        await using var ark = await ArkEmulator.StartAsync(new ArkEmulatorOptions
        {
            QueueDelay = TimeSpan.FromMilliseconds(100),
            RunDuration = TimeSpan.FromMilliseconds(300),
            CreateAnswerDelay = TimeSpan.FromSeconds(30),
        }, Ct);
        var settings = new Dictionary<string, string>
        {
            ["Reelgate__Engines__ark__Type"] = "modelark",
            ["Reelgate__Engines__ark__BaseUrl"] = ark.BaseAddress.ToString(),
            ["Reelgate__Engines__ark__ApiKey"] = "ark-test-key",
            ["Reelgate__Engines__ark__Model"] = "dreamina-seedance-2-0-260128",
            ["Reelgate__Engines__ark__PollInitial"] = "00:00:00.100",
            ["Reelgate__Engines__ark__PollMax"] = "00:00:00.400",
            ["Reelgate__Routes__seedance-2.0-text-to-video__0__Engine"] = "ark",
            ["Reelgate__Lease"] = "00:00:02",
            ["Reelgate__SweepInterval"] = "00:00:00.500",
        };
        var data = Directory.CreateTempSubdirectory("reelgate-crash-").FullName;
        try
        {
            string taskId;
            string apiKey;
            await using (var first = await WebServer.StartAsync(settings, data))
            {
                using var admin = first.Client(WebServer.AdminKey);
                var account = (string)(await WebServer.PostJsonAsync(admin, "api/admin/accounts", """{"name":"crash","credits":1000}"""))["accountId"]!;
                apiKey = (string)(await WebServer.PostJsonAsync(admin, $"api/admin/accounts/{account}/keys", """{"tier":"unlimited"}"""))["apiKey"]!;
                using var client = first.Client(apiKey);
                taskId = (string)(await WebServer.PostJsonAsync(client, "api/v1/jobs/createTask",
                    """{"model":"seedance-2.0-text-to-video","input":{"prompt":"a crash at the worst moment","resolution":"480p","duration":4}}"""))["taskId"]!;

                // The upstream holds the task; Reelgate waits for the answer. Kill it now.
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (ark.Stats.CreatesAccepted == 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the create never reached the upstream");
                    await Task.Delay(20, Ct);
                }
            }

            Assert.Single(ark.Tasks);
            ark.Options.CreateAnswerDelay = TimeSpan.Zero;
            await using var second = await WebServer.StartAsync(settings, data);
            using var again = second.Client(apiKey);
            JsonNode info;
            var end = DateTime.UtcNow.AddSeconds(90);
            do
            {
                await Task.Delay(200, Ct);
                info = JsonNode.Parse(await again.GetStringAsync("api/v1/jobs/recordInfo?taskId=" + taskId, Ct))!["data"]!;
            }
            while ((string)info["state"]! == "waiting" && DateTime.UtcNow < end);

            Assert.Equal("success", (string)info["state"]!);
            var upstream = Assert.Single(ark.Tasks);
            Assert.Equal(1, ark.Stats.CreatesAccepted);
            var balance = (long)JsonNode.Parse(await again.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
            Assert.Equal(1000 - (long)info["creditsConsumed"]!, balance);

            using var admin2 = second.Client(WebServer.AdminKey);
            var attempts = JsonNode.Parse(await admin2.GetStringAsync($"api/admin/tasks/{taskId}/attempts", Ct))!["data"]!.AsArray();
            Assert.Equal(2, attempts.Count);
            Assert.Equal("interrupted", (string)attempts[0]!["outcome"]!);
            Assert.Null((string?)attempts[0]!["upstreamId"]);
            Assert.Equal("succeeded", (string)attempts[1]!["outcome"]!);
            Assert.Equal(upstream.Id, (string)attempts[1]!["upstreamId"]!);
            Assert.Contains(second.Log, l => l.Contains("adopted it", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }


}
