using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>POST /api/v1/jobs/quote: createTask's checks and price, nothing created or charged (issue 23, item 2).</summary>
public sealed class QuoteTests
{
    private const string Model = "seedance-2.0-text-to-video";

    private static Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> QuoteAsync(HttpClient client, object input, string model = Model) =>
        client.PostRawAsync("/api/v1/jobs/quote", JsonSerializer.Serialize(new { model, input }), null);

    [Theory]
    [InlineData("480p", 4)]
    [InlineData("720p", 11)]
    [InlineData("1080p", 15)]
    public async Task Quote_EqualsTheChargeOfTheCreateThatFollows_AndWritesNothing(string resolution, int duration)
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(5000);
        using var client = server.NewClient(apiKey);
        var input = new { prompt = "a quote", resolution, duration, generate_audio = true };

        var (status, quote, _) = await QuoteAsync(client, input);
        Assert.Equal(HttpStatusCode.OK, status);
        var data = quote["data"]!;
        var credits = (long)data["credits"]!;
        Assert.True(credits > 0);
        Assert.Equal(5000, (long)data["balance"]!);
        Assert.Equal(5000 - credits, (long)data["balanceAfter"]!);
        Assert.Null(data["keyRoom"]);

        // Nothing created or charged by the quote.
        Assert.Equal(5000, await client.CreditsAsync());
        var (_, list, _) = await client.GetJsonAsync("/api/v1/jobs/list");
        Assert.Empty(list["data"]!["items"]!.AsArray());

        var (createStatus, created, _) = await client.CreateTaskAsync(input);
        Assert.Equal(HttpStatusCode.OK, createStatus);
        Assert.Equal(5000 - credits, await client.CreditsAsync());
        var ended = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal(credits, (long)ended["creditsConsumed"]!);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Quote_AnswersCreateTasksOwn400And422_AndANegativeBalanceAfterWhereCreateWouldSay402()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(50);
        using var client = server.NewClient(apiKey);

        foreach (var (input, model) in new (object Input, string Model)[]
        {
            (new { prompt = "x", duration = 3 }, Model),
            (new { prompt = "x", resolution = "4k" }, Model),
            (new { prompt = "x", duration = "five" }, Model),
            (new { prompt = "x" }, "no-such-model"),
        })
        {
            var (createStatus, create, _) = await client.CreateTaskAsync(input, model: model);
            var (quoteStatus, quote, _) = await QuoteAsync(client, input, model);
            Assert.Equal(createStatus, quoteStatus);
            Assert.Equal((string)create["msg"]!, (string)quote["msg"]!);
            Assert.Equal((int)create["code"]!, (int)quote["code"]!);
        }

        var (badStatus, _, _) = await client.PostRawAsync("/api/v1/jobs/quote", "{not json", null);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);

        // 50 credits, a 1080p 15 s costs more: the quote says so, createTask refuses with 402.
        var big = new { prompt = "too dear", resolution = "1080p", duration = 15 };
        var (status, quoteBig, _) = await QuoteAsync(client, big);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((long)quoteBig["data"]!["balanceAfter"]! < 0);
        var (refused, _, _) = await client.CreateTaskAsync(big);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused);
        Assert.Equal(50, await client.CreditsAsync());

        using var anonymous = server.NewClient();
        var (unauthorized, _, _) = await QuoteAsync(anonymous, big);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized);
    }
}
