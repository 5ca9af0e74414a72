using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Core.Tasks;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// createTask with media inputs over real HTTP, before any worker runs: an uploaded file's URL is
/// read from storage (marked with its file id in the stored spec), is private to its account and
/// must be of the field's kind; an alias is its model, and recordInfo echoes the id sent.
/// </summary>
public sealed class MediaCreateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string?> NoWorkers = new() { ["Reelgate:Workers"] = "0" };

    [Fact]
    public async Task UploadedFile_IsUsedFromStorage_ByItsOwner_AndRefusedToAnotherAccount()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, owner) = await server.CreateAccountAsync(100_000);
        var (_, _, stranger) = await server.CreateAccountAsync(100_000);
        using var ownerClient = server.NewClient(owner);
        using var strangerClient = server.NewClient(stranger);
        var fileUrl = await UploadAsync(ownerClient, await TestMedia.PngAsync(640, 480));

        var (status, body, _) = await ownerClient.CreateTaskAsync(new { prompt = "a slow push in", image_urls = new[] { fileUrl } }, model: "seedance-2.0-image-to-video");
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        var task = await server.Get<ITaskStore>().GetAsync((string)body["data"]!["taskId"]!, Ct);
        var input = Assert.Single(task!.Spec!.Media);
        Assert.StartsWith("file_", input.FileId, StringComparison.Ordinal);
        Assert.Equal(("first_frame", "image_urls", 0, fileUrl), (input.Role, input.Field, input.Index, input.Url));

        var balance = await strangerClient.CreditsAsync();
        var (refused, answer, _) = await strangerClient.CreateTaskAsync(new { prompt = "stolen", image_urls = new[] { fileUrl } }, model: "seedance-2.0-image-to-video");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Equal("validation error: input.image_urls[0] names a file uploaded by another account", (string?)answer["msg"]);
        Assert.Equal(balance, await strangerClient.CreditsAsync());
    }

    [Fact]
    public async Task UploadedFile_OfTheWrongKind_IsRefusedAtCreate_NamingFieldAndIndex()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var png = await UploadAsync(client, await TestMedia.PngAsync(640, 480));

        var (status, body, _) = await client.CreateTaskAsync(new { reference_image_urls = new[] { png }, reference_video_urls = new[] { png } }, model: "seedance-2.0-reference-to-video");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("validation error: input.reference_video_urls[0] names an uploaded image file; this field takes a video", (string?)body["msg"]);
    }

    [Fact]
    public async Task Alias_IsItsModel_AndRecordInfoEchoesTheIdSent()
    {
        var catalog = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        var source = Path.Combine(AppContext.BaseDirectory, "catalog", "models.json");
        await File.WriteAllTextAsync(catalog, (await File.ReadAllTextAsync(source, Ct)).Replace("\"id\": \"bytedance/seedance-2\",", "\"id\": \"bytedance/seedance-2\", \"aliases\": [\"bytedance/seedance-2-5\"],", StringComparison.Ordinal), Ct);
        try
        {
            await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0", ["Reelgate:CatalogPath"] = catalog });
            var (_, _, key) = await server.CreateAccountAsync(100_000);
            using var client = server.NewClient(key);

            var (status, body, _) = await client.CreateTaskAsync(new { prompt = "kie's id", resolution = "480p", duration = 4 }, model: "bytedance/seedance-2-5");

            Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
            var info = await client.RecordInfoAsync((string)body["data"]!["taskId"]!);
            Assert.Equal("bytedance/seedance-2-5", (string?)info["model"]);
            Assert.Equal("bytedance/seedance-2-5", (string?)JsonNode.Parse((string)info["param"]!)!["model"]);
            var task = await server.Get<ITaskStore>().GetAsync((string)body["data"]!["taskId"]!, Ct);
            Assert.Equal(("bytedance/seedance-2-5", "bytedance/seedance-2", 80L), (task!.Model, task.Spec!.Model, task.Cost));
        }
        finally
        {
            File.Delete(catalog);
        }
    }

    public static async Task<string> UploadAsync(HttpClient client, byte[] bytes)
    {
        var (status, body, _) = await client.PostRawAsync("/api/v1/files", JsonSerializer.Serialize(new { base64Data = Convert.ToBase64String(bytes), fileName = "input.bin" }));
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return (string)body["data"]!["fileUrl"]!;
    }
}
