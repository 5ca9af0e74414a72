using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Emulators.ModelArk;
using Reelgate.Testing;

namespace Reelgate.Engines.Tests;

/// <summary>The emulator's Seedance 2.0 media rules: roles, counts, what it recorded, the last frame.</summary>
public sealed partial class ArkEmulatorTests
{
    [Theory]
    [InlineData("""[{"type":"video_url","video_url":{"url":"https://x.invalid/v.mp4"},"role":"first_frame"}]""", "content[1].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/a.png"},"role":"reference_audio"}]""", "content[1].role")]
    [InlineData("""[{"type":"audio_url","audio_url":{"url":"https://x.invalid/a.mp3"},"role":"reference_video"}]""", "content[1].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/a.png"},"role":"first_frame"},{"type":"image_url","image_url":{"url":"https://x.invalid/b.png"},"role":"first_frame"}]""", "content[2].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/a.png"},"role":"first_frame"},{"type":"image_url","image_url":{"url":"https://x.invalid/b.png"},"role":"last_frame"},{"type":"image_url","image_url":{"url":"https://x.invalid/c.png"},"role":"last_frame"}]""", "content[3].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/b.png"},"role":"last_frame"}]""", "content[1].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/a.png"},"role":"first_frame"},{"type":"image_url","image_url":{"url":"https://x.invalid/r.png"},"role":"reference_image"}]""", "content[2].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/a.png"},"role":"first_frame"},{"type":"video_url","video_url":{"url":"https://x.invalid/v.mp4"}}]""", "content[2].role")]
    [InlineData("""[{"type":"audio_url","audio_url":{"url":"https://x.invalid/a.mp3"},"role":"reference_audio"}]""", "content[1].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"https://x.invalid/a.png"}},{"type":"image_url","image_url":{"url":"https://x.invalid/b.png"}}]""", "content[1].role")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"ftp://x.invalid/a.png"},"role":"first_frame"}]""", "content[1].image_url.url")]
    public async Task Create_Answers400InvalidParameter_WhenMediaBreakSeedanceRules(string media, string param)
    {
        await StartAsync();
        var (status, json, _) = await PostAsync(WithMedia(Body("a cat"), media));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("InvalidParameter", param), ((string)json["error"]!["code"]!, (string)json["error"]!["param"]!));
        Assert.Empty(_ark.Tasks);
    }

    [Theory]
    [InlineData("reference_image", "image_url", 10)]
    [InlineData("reference_video", "video_url", 4)]
    [InlineData("reference_audio", "audio_url", 4)]
    public async Task Create_Answers400_WhenAReferenceKindIsOverItsLimit(string role, string type, int count)
    {
        await StartAsync();
        var items = Enumerable.Range(0, count).Select(i => Item(type, role, $"https://x.invalid/{i}")).ToList();
        if (role == "reference_audio")
        {
            items.Add(Item("image_url", "reference_image", "https://x.invalid/r.png"));
        }

        var (status, json, _) = await PostAsync(WithMedia(Body("a cat"), new JsonArray([.. items]).ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("InvalidParameter", "content"), ((string)json["error"]!["code"]!, (string)json["error"]!["param"]!));
        Assert.Contains(role.Replace("reference_", "reference ", StringComparison.Ordinal), (string)json["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Answers400_WhenMoreThan12MediaInAll()
    {
        await StartAsync();
        var items = Enumerable.Range(0, 9).Select(i => Item("image_url", "reference_image", $"https://x.invalid/{i}.png"))
            .Concat(Enumerable.Range(0, 3).Select(i => Item("video_url", "reference_video", $"https://x.invalid/{i}.mp4")))
            .Append(Item("audio_url", "reference_audio", "https://x.invalid/a.mp3"));
        var (status, json, _) = await PostAsync(WithMedia(Body("a cat"), new JsonArray([.. items]).ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 12 media", (string)json["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AcceptsFirstAndLastFrame_AndRecordsWhatItGot()
    {
        await StartAsync();
        var id = await CreateAsync("a door opens", extra: new JsonObject
        {
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "a door opens" },
                Item("image_url", "first_frame", "data:image/png;base64,iVBORw0KGgo="),
                Item("image_url", "last_frame", "https://x.invalid/last.png")),
        });

        var task = Assert.Single(_ark.Tasks);
        Assert.Equal(
            [
                new ArkContentItem("text", null, null, null, "a door opens"),
                new ArkContentItem("image_url", "first_frame", "first_frame", "data:image/png;base64,iVBORw0KGgo=", null),
                new ArkContentItem("image_url", "last_frame", "last_frame", "https://x.invalid/last.png", null),
            ],
            task.Content);
        var received = (await _http.GetFromJsonAsync<JsonObject>($"_emulator/tasks/{id}", Ct))!;
        Assert.Equal(
            """{"id":"ID","content":[{"type":"text","text":"a door opens"},{"type":"image_url","role":"first_frame","effective_role":"first_frame","url":"data:image/png;base64,iVBORw0KGgo="},{"type":"image_url","role":"last_frame","effective_role":"last_frame","url":"https://x.invalid/last.png"}],"return_last_frame":false}""".Replace("ID", id, StringComparison.Ordinal),
            received.ToJsonString());
    }

    [Fact]
    public async Task Create_AcceptsReferencesOfAllThreeKinds_WithoutPrompt()
    {
        await StartAsync();
        var body = Body("unused");
        body["content"] = new JsonArray(
            Item("image_url", "reference_image", "https://x.invalid/r0.png"),
            Item("image_url", "reference_image", "https://x.invalid/r1.png"),
            Item("video_url", "reference_video", "https://x.invalid/v.mp4"),
            Item("audio_url", null, "data:audio/wav;base64,UklGRg=="));
        var (status, json, _) = await PostAsync(body);
        Assert.True(status == HttpStatusCode.OK, json.ToJsonString());
        var task = Assert.Single(_ark.Tasks);
        Assert.Equal("", task.Prompt);
        Assert.Equal(["reference_image", "reference_image", "reference_video", "reference_audio"], task.Content.Select(c => c.EffectiveRole));
        Assert.Null(task.Content[3].Role);
    }

    [Fact]
    public async Task Create_TakesARolelessOnlyImage_AsTheFirstFrame()
    {
        await StartAsync();
        await CreateAsync("a kite", extra: new JsonObject
        {
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "a kite" }, Item("image_url", null, "https://x.invalid/k.png")),
        });
        var item = Assert.Single(_ark.Tasks).Content[1];
        Assert.Equal((null, "first_frame"), (item.Role, item.EffectiveRole));
    }

    [Fact]
    public async Task ReturnLastFrame_ServesThePngOfTheVideosLastFrame_AtItsSize()
    {
        await StartAsync();
        var id = await CreateAsync("a lantern at dusk", extra: new JsonObject { ["return_last_frame"] = true });
        _clock.Advance(Queue);
        _clock.Advance(Run);
        var done = await WaitForAsync(id, "succeeded");
        var url = (string)done["content"]!["last_frame_url"]!;
        Assert.Equal(id + ".png", url[(url.LastIndexOf('/') + 1)..]);
        var png = await _http.GetByteArrayAsync(url, Ct);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal((864, 496), (BigEndian(png, 16), BigEndian(png, 20)));
        Assert.Equal(url, Assert.Single(_ark.Tasks).LastFrameUrl);

        // The PNG is the video's last frame: the same pixels as ffmpeg's decode of the MP4's end.
        var video = Path.Combine(renders.Directory, "check-" + id + ".mp4");
        await File.WriteAllBytesAsync(video, await _http.GetByteArrayAsync((string)done["content"]!["video_url"]!, Ct), Ct);
        var framePath = Path.Combine(renders.Directory, "check-" + id + ".png");
        await File.WriteAllBytesAsync(framePath, png, Ct);
        var fromPng = await FfmpegTool.FrameAsync(framePath, 0);
        var lastOfVideo = await FfmpegTool.FrameAsync(video, 3.95);
        Assert.Equal(lastOfVideo.Length, fromPng.Length);
        Assert.True(lastOfVideo.Zip(fromPng).Count(p => Math.Abs(p.First - p.Second) > 8) < fromPng.Length / 100, "the PNG differs from the video's last frame");
    }

    [Fact]
    public async Task TextOnlyTask_HasNoLastFrameUrl_AndItsPngAnswers404()
    {
        await StartAsync();
        var id = await CreateAsync("a lantern at dusk");
        _clock.Advance(Queue);
        _clock.Advance(Run);
        var done = await WaitForAsync(id, "succeeded");
        Assert.Equal(["video_url"], done["content"]!.AsObject().Select(p => p.Key));
        var response = await _http.GetAsync($"videos/{id}.png", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static JsonObject Item(string type, string? role, string url)
    {
        var item = new JsonObject { ["type"] = type, [type] = new JsonObject { ["url"] = url } };
        if (role is not null)
        {
            item["role"] = role;
        }

        return item;
    }

    /// <summary>The body with its text item followed by the given media items (a JSON array).</summary>
    private static JsonObject WithMedia(JsonObject body, string media)
    {
        var content = body["content"]!.AsArray();
        foreach (var item in JsonNode.Parse(media)!.AsArray())
        {
            content.Add(item!.DeepClone());
        }

        return body;
    }

    private static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}
