using System.Text.Json.Nodes;
using Reelgate.Client;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Tests.Media;

namespace Reelgate.Server.Tests.Client;

/// <summary>Reelgate.Client's uploads and typed media inputs against a live server over loopback (no workers: the create is what is tested).</summary>
public sealed class MediaClientTests
{
    private static readonly Dictionary<string, string?> NoWorkers = new() { ["Reelgate:Workers"] = "0" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReelgateClientOptions Options(Uri baseUrl, string key) => new() { BaseUrl = baseUrl, ApiKey = key, RetryBaseDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task UploadAsync_OfAPngFile_ReturnsTheStoredFile_WhoseUrlCreatesAnImageToVideoTask()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = ReelgateClient.Create(Options(server.BaseAddress, key));
        var path = Path.Combine(Path.GetTempPath(), $"first-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(path, await TestMedia.PngAsync(640, 480), Ct);
        try
        {
            var file = await client.UploadAsync(path, Ct);

            Assert.StartsWith("file_", file.FileId, StringComparison.Ordinal);
            Assert.Equal(("image/png", 640, 480, 0.0), (file.MimeType, file.Width, file.Height, file.Duration));
            Assert.Equal(new FileInfo(path).Length, file.FileSize);
            Assert.True(file.ExpiresAt > DateTimeOffset.UtcNow.AddDays(2));
            Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/') + "/files/" + file.FileId + "/source.png?", file.FileUrl, StringComparison.Ordinal);

            var id = await client.CreateTaskAsync(new SeedanceImageToVideoInput { Prompt = "a slow push in", ImageUrls = [file.FileUrl], Resolution = "480p", Duration = 4, ReturnLastFrame = true }, ct: Ct);

            var task = await client.GetTaskAsync(id, Ct);
            Assert.Equal((SeedanceImageToVideoInput.ModelId, TaskStates.Waiting), (task.Model, task.State));
            var input = JsonNode.Parse(task.Param!)!["input"]!;
            Assert.Equal(file.FileUrl, (string?)input["image_urls"]![0]);
            Assert.True((bool)input["return_last_frame"]!);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task UploadAsync_OfANonSeekableStreamThatIsNoMedia_ThrowsTheValidationError_AndLeavesTheStreamOpen()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = ReelgateClient.Create(Options(server.BaseAddress, key));
        using var text = new ForwardOnlyStream("not an image at all"u8.ToArray());

        var e = await Assert.ThrowsAsync<ReelgateValidationException>(() => client.UploadAsync(text, "cat.png", Ct));

        Assert.Equal((422, "file is not a JPEG, PNG or WebP image, an MP4 or MOV video, or an MP3, WAV or M4A audio"), (e.Code, e.ApiMessage));
        Assert.True(text.CanRead);
    }

    [Fact]
    public async Task TypedInputs_SerializeTheCatalogsFieldNames_ForReferenceAndKieModels()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = ReelgateClient.Create(Options(server.BaseAddress, key));
        var png = await client.UploadAsync(new MemoryStream(await TestMedia.PngAsync(640, 480)), "ref.png", Ct);

        var reference = await client.GetTaskAsync(await client.CreateTaskAsync(new SeedanceReferenceToVideoInput { ReferenceImageUrls = [png.FileUrl, png.FileUrl], Resolution = "480p", Duration = 4 }, ct: Ct), Ct);
        var kie = await client.GetTaskAsync(await client.CreateTaskAsync(new BytedanceSeedance2Input { Model = BytedanceSeedance2Input.FastModelId, Prompt = "frames", FirstFrameUrl = png.FileUrl, LastFrameUrl = png.FileUrl, AspectRatio = "adaptive", Resolution = "480p", Duration = 4 }, ct: Ct), Ct);

        var referenceInput = JsonNode.Parse(reference.Param!)!["input"]!.AsObject();
        Assert.Equal(["reference_image_urls", "resolution", "duration"], referenceInput.Select(p => p.Key));
        Assert.Equal("bytedance/seedance-2-fast", kie.Model);
        var kieInput = JsonNode.Parse(kie.Param!)!["input"]!.AsObject();
        Assert.Equal(["prompt", "first_frame_url", "last_frame_url", "resolution", "aspect_ratio", "duration"], kieInput.Select(p => p.Key));
        Assert.Equal(png.FileUrl, (string?)kieInput["last_frame_url"]);
    }

    /// <summary>A stream that can only be read forward (like a network stream).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
