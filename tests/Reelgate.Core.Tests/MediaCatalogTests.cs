using System.Text.Json;
using Reelgate.Core.Catalog;
using Reelgate.Core.Media;

namespace Reelgate.Core.Tests;

/// <summary>The image-, reference- and kie-shaped models of the default catalog: create-time rules, roles in the spec, aliases.</summary>
public sealed class MediaCatalogTests
{
    private static readonly string CatalogPath = Path.Combine(AppContext.BaseDirectory, "catalog", "models.json");
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(CatalogPath);
    private const string Png = "https://cdn.example.com/a.png";
    private const string DataPng = "data:image/png;base64,iVBORw0KGgo=";

    private static ValidatedInput Validate(string model, string json)
    {
        Assert.True(Catalog.TryGet(model, out var m), model);
        using var doc = JsonDocument.Parse(json);
        return InputValidator.Validate(m, doc.RootElement);
    }

    private static GenerationSpec Spec(string model, string json)
    {
        var input = Validate(model, json);
        Assert.True(input.IsValid, input.Error);
        return ModelCatalog.Resolve(input.Model!, input, 7);
    }

    [Fact]
    public void ImageToVideo_FirstAndLastFrame_AreRolesInTheSpec_AndAdaptiveWaitsForTheImage()
    {
        var spec = Spec("seedance-2.0-image-to-video", $$"""{"prompt":"p","image_urls":["{{Png}}","{{DataPng}}"],"return_last_frame":true}""");

        Assert.Equal(
            [new MediaInput(MediaRoles.FirstFrame, "image_urls", 0, Png), new MediaInput(MediaRoles.LastFrame, "image_urls", 1, DataPng)],
            spec.Media);
        Assert.True(spec.ReturnLastFrame);
        Assert.Equal(("adaptive", 0, 0), (spec.Ratio, spec.Width, spec.Height)); // the worker picks the ratio nearest the first image
        Assert.Equal(spec, GenerationSpecJson.Deserialize(GenerationSpecJson.Serialize(spec)));

        var fixedRatio = Spec("seedance-2.0-image-to-video", $$"""{"prompt":"p","image_urls":["{{Png}}"],"ratio":"9:16","resolution":"480p"}""");
        Assert.Equal(("9:16", 496, 864), (fixedRatio.Ratio, fixedRatio.Width, fixedRatio.Height));
    }

    [Theory]
    [InlineData("""{"prompt":"p"}""", "input.image_urls is required")]
    [InlineData("""{"prompt":"p","image_urls":[]}""", "input.image_urls must be an array of 1 to 2 URL strings")]
    [InlineData("""{"prompt":"p","image_urls":["https://a/1.png","https://a/2.png","https://a/3.png"]}""", "input.image_urls must be an array of 1 to 2 URL strings")]
    [InlineData("""{"prompt":"p","image_urls":"https://a/1.png"}""", "input.image_urls must be an array of 1 to 2 URL strings")]
    [InlineData("""{"prompt":"p","image_urls":[7]}""", "input.image_urls[0] must be a URL string")]
    [InlineData("""{"prompt":"p","image_urls":["https://a/1.png","ftp://a/2.png"]}""", "input.image_urls[1] must be an http(s) URL of at most 2048 characters, a base64 data: URI, or the URL of a file uploaded here")]
    [InlineData("""{"prompt":"p","image_urls":["/relative.png"]}""", "input.image_urls[0] must be an http(s) URL of at most 2048 characters, a base64 data: URI, or the URL of a file uploaded here")]
    [InlineData("""{"prompt":"p","image_urls":["data:image/png,notbase64"]}""", "input.image_urls[0] must be a base64 data: URI (data:<type>;base64,<data>)")]
    [InlineData("""{"prompt":"p","image_urls":["data:image/png;base64,@@@@"]}""", "input.image_urls[0] must be a base64 data: URI with valid, non-empty base64 data")]
    [InlineData("""{"prompt":"p","image_urls":["data:image/png;base64,"]}""", "input.image_urls[0] must be a base64 data: URI with valid, non-empty base64 data")]
    public void ImageToVideo_RefusesBadCountsAndUrls_NamingFieldAndIndex(string json, string detail)
    {
        var result = Validate("seedance-2.0-image-to-video", json);
        Assert.Equal(detail, result.Detail);
    }

    [Theory]
    [InlineData("""{"reference_audio_urls":["https://a/1.mp3"]}""", "at least one of input.reference_image_urls or input.reference_video_urls is required")]
    [InlineData("""{"prompt":"p"}""", "at least one of input.reference_image_urls or input.reference_video_urls is required")]
    [InlineData("""{"reference_image_urls":["https://a/1.png","https://a/2.png","https://a/3.png","https://a/4.png","https://a/5.png","https://a/6.png","https://a/7.png","https://a/8.png","https://a/9.png","https://a/10.png"]}""", "input.reference_image_urls must be an array of 0 to 9 URL strings")]
    [InlineData("""{"reference_video_urls":["https://a/1.mp4","https://a/2.mp4","https://a/3.mp4","https://a/4.mp4"]}""", "input.reference_video_urls must be an array of 0 to 3 URL strings")]
    [InlineData("""{"reference_image_urls":["https://a/1.png","https://a/2.png","https://a/3.png","https://a/4.png","https://a/5.png","https://a/6.png","https://a/7.png","https://a/8.png","https://a/9.png"],"reference_video_urls":["https://a/1.mp4","https://a/2.mp4"],"reference_audio_urls":["https://a/1.mp3","https://a/2.mp3"]}""", "at most 12 media inputs in all (13 given)")]
    public void ReferenceToVideo_RefusesAudioAloneNoneAndTooMany(string json, string detail)
    {
        Assert.Equal(detail, Validate("seedance-2.0-reference-to-video", json).Detail);
    }

    [Fact]
    public void ReferenceToVideo_TakesNoPrompt_AndKeepsEachReferenceRole()
    {
        var spec = Spec("seedance-2.0-reference-to-video", """{"reference_image_urls":["https://a/1.png","https://a/2.png"],"reference_video_urls":["https://a/v.mp4"],"reference_audio_urls":["https://a/s.mp3"]}""");

        Assert.Equal("", spec.Prompt);
        Assert.Equal(
            [MediaRoles.ReferenceImage, MediaRoles.ReferenceImage, MediaRoles.ReferenceVideo, MediaRoles.ReferenceAudio],
            spec.Media.Select(m => m.Role));
        Assert.Equal("input.reference_video_urls[0]", spec.Media[2].Where);
        Assert.Equal(("16:9", 1280, 720), (spec.Ratio, spec.Width, spec.Height));
    }

    [Theory]
    [InlineData("""{"prompt":"p","first_frame_url":"https://a/1.png","reference_image_urls":["https://a/2.png"]}""", "input.first_frame_url and input.reference_image_urls cannot be used together (frames or references, not both)")]
    [InlineData("""{"prompt":"p","last_frame_url":"https://a/1.png"}""", "input.last_frame_url requires input.first_frame_url")]
    [InlineData("""{"prompt":"p","reference_audio_urls":["https://a/1.mp3"]}""", "input.reference_audio_urls requires input.reference_image_urls or input.reference_video_urls")]
    [InlineData("""{"prompt":"p","first_frame_url":["https://a/1.png"]}""", "input.first_frame_url must be a URL string")]
    public void KieShape_ModeFollowsTheInputs_AndMixedModesAreRefused(string json, string detail)
    {
        Assert.Equal(detail, Validate("bytedance/seedance-2", json).Detail);
    }

    [Fact]
    public void KieShape_SingleUrlFields_AreFramesWithoutAnIndex_AndFastIsCheaperAndStopsAt720p()
    {
        var spec = Spec("bytedance/seedance-2", """{"prompt":"p","first_frame_url":"https://a/1.png","last_frame_url":"https://a/2.png","aspect_ratio":"1:1","resolution":"480p","duration":4}""");
        Assert.Equal([(MediaRoles.FirstFrame, -1), (MediaRoles.LastFrame, -1)], spec.Media.Select(m => (m.Role, m.Index)));
        Assert.Equal("input.first_frame_url", spec.Media[0].Where);
        Assert.Equal(("1:1", 640, 640), (spec.Ratio, spec.Width, spec.Height));

        Assert.True(Catalog.TryGet("bytedance/seedance-2", out var standard));
        Assert.True(Catalog.TryGet("bytedance/seedance-2-fast", out var fast));
        var text = Spec("bytedance/seedance-2", """{"prompt":"p","resolution":"720p","duration":5}""");
        var fastText = Spec("bytedance/seedance-2-fast", """{"prompt":"p","resolution":"720p","duration":5}""");
        Assert.True(ModelCatalog.Price(fast, fastText) < ModelCatalog.Price(standard, text));
        Assert.Equal("input.resolution must be one of 480p, 720p", Validate("bytedance/seedance-2-fast", """{"prompt":"p","resolution":"1080p"}""").Detail);

        // return_last_frame is free.
        var withFrame = Spec("bytedance/seedance-2", """{"prompt":"p","resolution":"720p","duration":5,"return_last_frame":true}""");
        Assert.Equal(ModelCatalog.Price(standard, text), ModelCatalog.Price(standard, withFrame));
    }

    [Fact]
    public void Aliases_NameTheirModel_AndAnIdClaimedTwiceRefusesTheCatalog()
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, File.ReadAllText(CatalogPath).Replace("\"id\": \"bytedance/seedance-2\",", "\"id\": \"bytedance/seedance-2\", \"aliases\": [\"bytedance/seedance-2-5\"],", StringComparison.Ordinal));
            var catalog = ModelCatalog.Load(path);
            Assert.True(catalog.TryGet("bytedance/seedance-2-5", out var aliased));
            Assert.Equal("bytedance/seedance-2", aliased.Id);

            File.WriteAllText(path, File.ReadAllText(CatalogPath).Replace("\"id\": \"bytedance/seedance-2\",", "\"id\": \"bytedance/seedance-2\", \"aliases\": [\"seedance-2.0-text-to-video\"],", StringComparison.Ordinal));
            var e = Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(path));
            Assert.Equal("model catalog: id 'seedance-2.0-text-to-video' is claimed by model 'seedance-2.0-text-to-video' and by model 'bytedance/seedance-2'; an id names one model", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_RefusesMediaFieldsWithoutRoles_AndUnknownRoles()
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, File.ReadAllText(CatalogPath).Replace("\"roles\": [\"first_frame\", \"last_frame\"],", "\"roles\": [\"first_frame\", \"middle_frame\"],", StringComparison.Ordinal));
            Assert.Contains("unknown role 'middle_frame'", Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(path)).Message, StringComparison.Ordinal);

            File.WriteAllText(path, File.ReadAllText(CatalogPath).Replace("\"roles\": [\"first_frame\", \"last_frame\"],", "", StringComparison.Ordinal));
            Assert.Contains("url and urlList fields need roles", Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(path)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
