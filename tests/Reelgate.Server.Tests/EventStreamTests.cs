using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Server-sent events: a task's changes in order until it ends, the account's feed, and Last-Event-ID resume.</summary>
public sealed class EventStreamTests
{
    private sealed record SseEvent(long Id, JsonObject Data);

    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenAsync(HttpClient client, string path, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken)));
    }

    /// <summary>The next event, or null when the stream ended.</summary>
    private static async Task<SseEvent?> NextAsync(StreamReader reader)
    {
        long id = -1;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return new SseEvent(id, JsonNode.Parse(line[6..])!.AsObject());
            }
        }

        return null;
    }

    [Fact]
    public async Task TaskStream_SendsStateThenChangesInOrder_AndClosesWhenTaskEnds()
    {
        ScriptedEngine? engine = null;
        await using var server = await ReelgateTestServer.StartAsync(services: s => engine = ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(key);
        var taskId = (string)(await client.CreateTaskAsync(new { prompt = "[hold] stream me", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!;
        await engine!.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var (response, reader) = await OpenAsync(client, "/api/v1/jobs/events?taskId=" + taskId);
        using (response)
        {
            var first = await NextAsync(reader);
            Assert.Equal(("waiting", taskId), ((string)first!.Data["state"]!, (string)first.Data["taskId"]!));
            engine.Release();
            var events = new List<SseEvent> { first };
            while (await NextAsync(reader) is { } e)
            {
                events.Add(e);
            }

            Assert.Equal("success", (string)events[^1].Data["state"]!);
            Assert.Equal(100, (int)events[^1].Data["progress"]!);
            Assert.True(events.Skip(1).Select(e => e.Id).SequenceEqual(events.Skip(1).Select(e => e.Id).Order()), "ids must increase");
        }
    }

    [Fact]
    public async Task AccountStream_ResumesFromLastEventId_WithOnlyTheMissedEvents()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var (response, reader) = await OpenAsync(client, "/api/v1/jobs/events");
        var created = new List<string>();
        long lastId;
        using (response)
        {
            for (var i = 0; i < 3; i++)
            {
                created.Add((string)(await client.CreateTaskAsync(new { prompt = $"feed {i}", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!);
            }

            var seen = new List<SseEvent>();
            for (var i = 0; i < 3; i++)
            {
                seen.Add((await NextAsync(reader))!);
            }

            Assert.Equal(created, seen.Select(e => (string)e.Data["taskId"]!));
            lastId = seen[^1].Id;
        }

        var later = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            later.Add((string)(await client.CreateTaskAsync(new { prompt = $"while away {i}", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!);
        }

        var (again, resumed) = await OpenAsync(client, "/api/v1/jobs/events", lastId);
        using (again)
        {
            var replay = new List<string> { (string)(await NextAsync(resumed))!.Data["taskId"]!, (string)(await NextAsync(resumed))!.Data["taskId"]! };
            Assert.Equal(later, replay);
        }
    }

    [Fact]
    public async Task TaskStream_Returns404Envelope_ForAnotherAccountsTask()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, owner) = await server.CreateAccountAsync(1000);
        var (_, _, stranger) = await server.CreateAccountAsync(1000);
        using var ownerClient = server.NewClient(owner);
        var taskId = (string)(await ownerClient.CreateTaskAsync(new { prompt = "private", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!;
        var (status, body, _) = await server.NewClient(stranger).GetJsonAsync("/api/v1/jobs/events?taskId=" + taskId);
        JsonBody.AssertError(status, body, 404, "task not found");
    }
}
