using System.Text.Json.Nodes;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>Envelope assertions shared by the tests.</summary>
public static class JsonBody
{
    /// <summary>Asserts the spec's error envelope: code equals the HTTP status, the message, data null.</summary>
    public static void AssertError(System.Net.HttpStatusCode status, JsonObject body, int code, string msg)
    {
        Assert.Equal(code, (int)status);
        Assert.Equal(code, (int)body["code"]!);
        Assert.Equal(msg, (string)body["msg"]!);
        Assert.True(body.ContainsKey("data"));
        if (code != 429)
        {
            Assert.Null(body["data"]);
        }
    }
}
