using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>Small calls against the public API, returning status and parsed envelope.</summary>
public static class ApiClient
{
    public const string SeedPrompt = "A slow dolly shot through a futuristic botanical lab with soft volumetric light";

    public static async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> PostRawAsync(this HttpClient client, string path, string body, string? requestId = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (requestId is not null)
        {
            request.Headers.Add("X-Request-ID", requestId);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await ParseAsync(response), response);
    }

    public static Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> CreateTaskAsync(this HttpClient client, object input, string? requestId = null, string model = "seedance-2.0-text-to-video") =>
        client.PostRawAsync("/api/v1/jobs/createTask", System.Text.Json.JsonSerializer.Serialize(new { model, input }), requestId);

    public static async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        return (response.StatusCode, await ParseAsync(response), response);
    }

    public static async Task<JsonObject> RecordInfoAsync(this HttpClient client, string taskId)
    {
        var (status, body, _) = await client.GetJsonAsync("/api/v1/jobs/recordInfo?taskId=" + taskId);
        Assert.Equal(HttpStatusCode.OK, status);
        return body["data"]!.AsObject();
    }

    /// <summary>Polls recordInfo until the task leaves waiting (bounded).</summary>
    public static async Task<JsonObject> WaitForEndAsync(this HttpClient client, string taskId, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var data = await client.RecordInfoAsync(taskId);
            if ((string)data["state"]! != "waiting")
            {
                return data;
            }

            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} still waiting after {timeoutSeconds}s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public static async Task<long> CreditsAsync(this HttpClient client)
    {
        var (status, body, _) = await client.GetJsonAsync("/api/v1/chat/credit");
        Assert.Equal(HttpStatusCode.OK, status);
        return (long)body["data"]!;
    }

    private static async Task<JsonObject> ParseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrEmpty(text), $"empty body for HTTP {(int)response.StatusCode}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
