using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Core.Callbacks;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Testing;

namespace Reelgate.Server.Tests;

/// <summary>Callbacks: signed per Standard Webhooks, retried from a durable outbox, never to forbidden addresses.</summary>
public sealed class CallbackTests
{
    private static async Task<JsonObject> DeliveriesAsync(ReelgateTestServer server, string taskId)
    {
        var (status, body, _) = await server.Admin.GetJsonAsync($"/api/admin/tasks/{taskId}/callbacks");
        Assert.Equal(HttpStatusCode.OK, status);
        return body["data"]![0]!.AsObject();
    }

    private static async Task<JsonObject> WaitForDeliveryStateAsync(ReelgateTestServer server, string taskId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (_, body, _) = await server.Admin.GetJsonAsync($"/api/admin/tasks/{taskId}/callbacks");
            if (body["data"]!.AsArray().FirstOrDefault() is JsonObject d && (string)d["state"]! == state)
            {
                return d;
            }

            Assert.True(DateTime.UtcNow < deadline, $"delivery of {taskId} never reached {state}: {body.ToJsonString()}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Callback_IsSignedAndRetriedAfter500_WithTheRecordInfoData()
    {
        await using var receiver = await CallbackReceiver.StartAsync(500);
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Reelgate:Callbacks:AllowedHosts:0"] = "127.0.0.1",
                ["Reelgate:Callbacks:RetrySchedule:0"] = "00:00:00.200",
                ["Reelgate:Callbacks:RetrySchedule:1"] = "00:00:00.200",
            },
            s => ScriptedEngine.AddTo(s));
        var (accountId, _, key) = await server.CreateAccountAsync(1000);
        var (_, secretBody, _) = await server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/webhook-secret", "");
        var secret = (string)secretBody["data"]!["webhookSecret"]!;
        Assert.StartsWith("whsec_", secret);
        using var client = server.NewClient(key);

        var (_, created, _) = await client.PostRawAsync("/api/v1/jobs/createTask",
            $$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"call me back","resolution":"480p","duration":4},"callBackUrl":"{{receiver.Address}}hook"}""");
        var taskId = (string)created["data"]!["taskId"]!;
        await receiver.WaitForAsync(2);

        var tries = receiver.Received.ToArray();
        Assert.Equal(tries[0].Id, tries[1].Id);
        foreach (var received in tries)
        {
            Assert.Equal(WebhookSigner.Sign(secret, received.Id, long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture), received.Body), received.Signature);
        }

        var payload = JsonNode.Parse(tries[1].Body)!.AsObject();
        var recordInfo = await client.RecordInfoAsync(taskId);
        Assert.Equal(taskId, (string)payload["taskId"]!);
        Assert.Equal("success", (string)payload["state"]!);
        Assert.Equal((string)recordInfo["param"]!, (string)payload["param"]!);
        Assert.NotNull(payload["resultJson"]);

        var delivery = await WaitForDeliveryStateAsync(server, taskId, "delivered");
        Assert.Equal([500, 200], delivery["history"]!.AsArray().Select(a => (int)a!["statusCode"]!));
        Assert.Equal("success", (string)recordInfo["state"]!);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook", "loopback address")]
    [InlineData("http://localhost:{port}/hook", "loopback address")]
    [InlineData("http://[::1]:{port}/hook", "loopback address")]
    [InlineData("http://10.1.2.3/hook", "private address")]
    [InlineData("http://192.168.0.10/hook", "private address")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local or metadata address")]
    [InlineData("http://[64:ff9b::7f00:1]:{port}/hook", "loopback address (NAT64 form)")]
    [InlineData("http://[2002:a9fe:a9fe::]/latest/meta-data", "link-local or metadata address (6to4 form)")]
    public async Task Callback_IsRefusedAndRecorded_WhenTargetIsLoopbackPrivateOrMetadata(string url, string reason)
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Callbacks:RetrySchedule:0"] = "00:00:00.100" },
            s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(key);
        var target = url.Replace("{port}", receiver.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var (_, created, _) = await client.PostRawAsync("/api/v1/jobs/createTask",
            $$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"ssrf","resolution":"480p","duration":4},"callBackUrl":"{{target}}"}""");
        var taskId = (string)created["data"]!["taskId"]!;

        var delivery = await WaitForDeliveryStateAsync(server, taskId, "failed");
        var history = delivery["history"]!.AsArray();
        Assert.Equal(2, history.Count);
        Assert.All(history, a => Assert.StartsWith("refused: " + reason, (string)a!["error"]!));
        Assert.Empty(receiver.Received);
        Assert.Equal("success", (string)(await client.RecordInfoAsync(taskId))["state"]!);
    }

    [Fact]
    public async Task Callback_DoesNotFollowRedirects()
    {
        await using var receiver = await CallbackReceiver.StartAsync(302);
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Callbacks:AllowedHosts:0"] = "127.0.0.0/8", ["Reelgate:Callbacks:RetrySchedule:0"] = "00:00:00.100" },
            s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(key);
        var (_, created, _) = await client.PostRawAsync("/api/v1/jobs/createTask",
            $$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"redirect","resolution":"480p","duration":4},"callBackUrl":"{{receiver.Address}}hook"}""");
        var taskId = (string)created["data"]!["taskId"]!;

        var delivery = await WaitForDeliveryStateAsync(server, taskId, "delivered");
        var history = delivery["history"]!.AsArray();
        Assert.Equal(302, (int)history[0]!["statusCode"]!);
        Assert.Equal("redirect not followed", (string)history[0]!["error"]!);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task PendingCallback_IsDeliveredAfterRestart()
    {
        await using var receiver = await CallbackReceiver.StartAsync(500);
        var dir = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["Reelgate:Callbacks:AllowedHosts:0"] = "127.0.0.1",
            ["Reelgate:Callbacks:RetrySchedule:0"] = "00:00:03",
        };
        string taskId;
        string key;
        await using (var first = await ReelgateTestServer.StartAsync(settings, s => ScriptedEngine.AddTo(s), dir))
        {
            first.KeepDataDirectory = true;
            (_, _, key) = await first.CreateAccountAsync(1000);
            using var client = first.NewClient(key);
            var (_, created, _) = await client.PostRawAsync("/api/v1/jobs/createTask",
                $$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"survive","resolution":"480p","duration":4},"callBackUrl":"{{receiver.Address}}hook"}""");
            taskId = (string)created["data"]!["taskId"]!;
            await receiver.WaitForAsync(1);
        }

        await using var second = await ReelgateTestServer.StartAsync(settings, s => ScriptedEngine.AddTo(s), dir);
        await receiver.WaitForAsync(2);
        var delivery = await WaitForDeliveryStateAsync(second, taskId, "delivered");
        Assert.Equal(2, (int)delivery["attempts"]!);
    }
}
