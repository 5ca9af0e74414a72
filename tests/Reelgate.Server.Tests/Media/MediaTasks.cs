using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Core.Catalog;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// The steps the media end-to-end tests share: the served catalog's facts (sizes, fps, prices),
/// a task run through createTask and recordInfo to its end, and result files downloaded to disk.
/// </summary>
public static class MediaTasks
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ModelDefinition Model(string id)
    {
        Assert.True(Catalog.TryGet(id, out var model), $"{id} is not in the catalog");
        return model;
    }

    /// <summary>The catalog's price: rate per second of the resolution times the seconds (no audio multiplier asked for).</summary>
    public static long Price(string model, string resolution, int seconds) => Model(model).Pricing.RatesPerSecond[resolution] * seconds;

    /// <summary>The catalog size of a ratio at a resolution.</summary>
    public static (int Width, int Height) Size(string model, string resolution, string ratio) =>
        Parse(Model(model).Output.Sizes[resolution][ratio]);

    /// <summary>The catalog ratio (and its size) whose aspect is nearest the image's, measured in log(width / height).</summary>
    public static (string Ratio, int Width, int Height) Nearest(string model, string resolution, int imageWidth, int imageHeight)
    {
        var target = Math.Log((double)imageWidth / imageHeight);
        return Model(model).Output.Sizes[resolution]
            .Select(kv => (Ratio: kv.Key, Size: Parse(kv.Value)))
            .OrderBy(r => Math.Abs(Math.Log((double)r.Size.Width / r.Size.Height) - target))
            .Select(r => (r.Ratio, r.Size.Width, r.Size.Height))
            .First();
    }

    /// <summary>createTask (asserting it is accepted), then recordInfo until the task ends; the task's data.</summary>
    public static async Task<JsonObject> RunAsync(HttpClient client, string model, object input)
    {
        var (status, body, _) = await client.CreateTaskAsync(input, model: model);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return await client.WaitForEndAsync((string)body["data"]!["taskId"]!);
    }

    /// <summary>As <see cref="RunAsync"/>, asserting the task succeeded.</summary>
    public static async Task<JsonObject> SucceedAsync(HttpClient client, string model, object input)
    {
        var data = await RunAsync(client, model, input);
        Assert.True((string?)data["state"] == "success", data.ToJsonString());
        return data;
    }

    public static JsonObject Result(JsonObject data) => JsonNode.Parse((string)data["resultJson"]!)!.AsObject();

    /// <summary>Downloads a (signed) result URL into <paramref name="directory"/>; the file's path.</summary>
    public static async Task<string> DownloadAsync(HttpClient client, string url, string directory, string name)
    {
        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var path = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync(Ct), Ct);
        return path;
    }

    public static string DataUri(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";

    private static (int Width, int Height) Parse(string size)
    {
        var parts = size.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
