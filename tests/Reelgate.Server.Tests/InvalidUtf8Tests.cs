using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// A JSON body that is not valid UTF-8 anywhere is 400 invalid request on every JSON endpoint,
/// and creates or charges nothing: the bad byte in the model id (once a 500), in the prompt (once
/// a 422), in a field the server does not read (once stored whole in param), in a property name.
/// </summary>
public sealed class InvalidUtf8Tests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The body with every <c>~</c> replaced by a byte that can never occur in UTF-8.</summary>
    private static byte[] WithBadByte(string json, byte bad = 0xFF)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return bytes.Select(b => b == (byte)'~' ? bad : b).ToArray();
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostBytesAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await client.PostAsync(path, content, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    public static TheoryData<string, byte> CreateTaskBodies => new()
    {
        { """{"model":"seedance-2.0-text-to-video~","input":{"prompt":"x"}}""", 0xFF },
        { """{"model":"seedance-2.0-text-to-video","input":{"prompt":"x~"}}""", 0xFF },
        { """{"model":"seedance-2.0-text-to-video","input":{"prompt":"x","extra":"~"}}""", 0xFF },
        { """{"model":"seedance-2.0-text-to-video","input":{"prompt":"x"},"note~":1}""", 0xFF },
        { """{"model":"seedance-2.0-text-to-video","input":{"prompt":"x","extra":["a","b~"]}}""", 0xC0 },
        { """{"model":"seedance-2.0-text-to-video","callBackUrl":"http://example.com/~","input":{"prompt":"x"}}""", 0x80 },
    };

    [Theory]
    [MemberData(nameof(CreateTaskBodies))]
    public async Task CreateTask_Returns400_WhenAnyByteIsNotUtf8(string json, byte bad)
    {
        var (_, _, key) = await shared.Server.CreateAccountAsync(1000, "roomy");
        using var client = shared.Server.NewClient(key);

        var (status, body) = await PostBytesAsync(client, "/api/v1/jobs/createTask", WithBadByte(json, bad));

        JsonBody.AssertError(status, body, 400, "invalid request");
        Assert.Equal(1000, await client.CreditsAsync());
        var (_, list, _) = await client.GetJsonAsync("/api/v1/jobs/list");
        Assert.Empty(list["data"]!["items"]!.AsArray());
    }

    [Fact]
    public async Task CreateTask_AcceptsValidMultiByteText_AndAByteOrderMark()
    {
        var (_, _, key) = await shared.Server.CreateAccountAsync(1000, "roomy");
        using var client = shared.Server.NewClient(key);
        var json = """{"model":"seedance-2.0-text-to-video","input":{"prompt":"ein Bär im Schnee 🐻","duration":4}}""";

        var (status, body) = await PostBytesAsync(client, "/api/v1/jobs/createTask", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]);

        Assert.Equal(HttpStatusCode.OK, status);
        var info = await client.RecordInfoAsync((string)body["data"]!["taskId"]!);
        Assert.Equal("ein Bär im Schnee 🐻", (string)JsonNode.Parse((string)info["param"]!)!["input"]!["prompt"]!);
    }

    [Fact]
    public async Task AdminAndCancel_Return400_WhenAnyByteIsNotUtf8()
    {
        var (accountId, _, key) = await shared.Server.CreateAccountAsync(1000, "roomy");
        using var client = shared.Server.NewClient(key);
        var admin = shared.Server.Admin;

        var cases = new (HttpClient Client, string Path, string Json)[]
        {
            (admin, "/api/admin/accounts", """{"name":"bad~name","credits":5}"""),
            (admin, "/api/admin/accounts", """{"name":"ok","credits":5,"x":"~"}"""),
            (admin, $"/api/admin/accounts/{accountId}/credits", """{"amount":5,"reason":"~"}"""),
            (admin, $"/api/admin/accounts/{accountId}/keys", """{"name":"k~","tier":"basic"}"""),
            (client, "/api/v1/jobs/cancel", """{"taskId":"~"}"""),
        };
        foreach (var (http, path, json) in cases)
        {
            var (status, body) = await PostBytesAsync(http, path, WithBadByte(json));
            Assert.True(status == HttpStatusCode.BadRequest, $"{path} {json}: HTTP {(int)status} {body.ToJsonString()}");
            JsonBody.AssertError(status, body, 400, "invalid request");
        }

        Assert.Equal(1000, await client.CreditsAsync());
        await shared.Server.AssertAuditOkAsync();
    }
}
