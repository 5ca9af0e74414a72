using System.Text.Json;
using Reelgate.Core.Catalog;

namespace Reelgate.Core.Tests;

public sealed class CatalogTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json"));

    private static ModelDefinition Model => Catalog.Models.First(m => m.Id == "seedance-2.0-text-to-video");

    private static ValidatedInput Validate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return InputValidator.Validate(Model, doc.RootElement);
    }

    [Theory]
    [InlineData("480p", "16:9", 864, 496)]
    [InlineData("480p", "4:3", 752, 560)]
    [InlineData("480p", "1:1", 640, 640)]
    [InlineData("480p", "3:4", 560, 752)]
    [InlineData("480p", "9:16", 496, 864)]
    [InlineData("480p", "21:9", 992, 432)]
    [InlineData("720p", "16:9", 1280, 720)]
    [InlineData("720p", "4:3", 1112, 834)]
    [InlineData("720p", "1:1", 960, 960)]
    [InlineData("720p", "3:4", 834, 1112)]
    [InlineData("720p", "9:16", 720, 1280)]
    [InlineData("720p", "21:9", 1470, 630)]
    [InlineData("1080p", "16:9", 1920, 1080)]
    [InlineData("1080p", "4:3", 1664, 1248)]
    [InlineData("1080p", "1:1", 1440, 1440)]
    [InlineData("1080p", "3:4", 1248, 1664)]
    [InlineData("1080p", "9:16", 1080, 1920)]
    [InlineData("1080p", "21:9", 2206, 946)]
    [InlineData("720p", "adaptive", 1280, 720)]
    public void Resolve_GivesSpecSize_ForEveryRatioAndResolution(string resolution, string ratio, int width, int height)
    {
        var input = Validate($$"""{"prompt":"x","ratio":"{{ratio}}","resolution":"{{resolution}}"}""");
        var spec = ModelCatalog.Resolve(Model, input, 7);
        Assert.Equal((width, height, 24), (spec.Width, spec.Height, spec.Fps));
    }

    [Theory]
    [InlineData("480p", 4, false, 80)]
    [InlineData("720p", 5, false, 200)]
    [InlineData("1080p", 15, true, 1200)]
    public void Price_IsRateTimesDuration_FromThePriceTable(string resolution, int duration, bool audio, long expected)
    {
        var input = Validate($$"""{"prompt":"x","resolution":"{{resolution}}","duration":{{duration}},"generate_audio":{{(audio ? "true" : "false")}}}""");
        Assert.Equal(expected, ModelCatalog.Price(Model, input));
    }

    [Fact]
    public void Validate_AppliesCatalogDefaults_WhenOnlyPromptIsGiven()
    {
        var input = Validate("""{"prompt":"only a prompt"}""");
        Assert.True(input.IsValid);
        Assert.Equal("16:9", input.GetString("ratio"));
        Assert.Equal("720p", input.GetString("resolution"));
        Assert.Equal(5, input.GetLong("duration"));
        Assert.False(input.GetBool("generate_audio"));
        Assert.Equal(-1, input.Seed);
    }

    [Fact]
    public void Validate_CountsCodePoints_WhenPromptHasFourByteCharacters()
    {
        var ok = string.Concat(Enumerable.Repeat("😀", 20000));
        Assert.True(Validate(JsonSerializer.Serialize(new { prompt = ok })).IsValid);
        Assert.False(Validate(JsonSerializer.Serialize(new { prompt = ok + "😀" })).IsValid);
        Assert.True(Validate(JsonSerializer.Serialize(new { prompt = "  " + ok + "  " })).IsValid);
    }

    [Fact]
    public void Validate_Rejects_LoneSurrogateEscapes()
    {
        var result = Validate("""{"prompt":"bad \ud800 text"}""");
        Assert.Equal("validation error: input.prompt must be a string of 1 to 20000 characters and not blank", result.Error);
    }

    [Theory]
    [InlineData("nude", "a nude figure", true)]
    [InlineData("nude", "A NUDE figure", true)]
    [InlineData("nude", "nude.", true)]
    [InlineData("nude", "denuded forest", false)]
    [InlineData("gore", "gored", false)]
    [InlineData("explicit sex", "an explicit sex scene", true)]
    public void ContentPolicyMatcher_MatchesWholeWordsCaseInsensitively(string term, string text, bool expected) =>
        Assert.Equal(expected, ContentPolicyMatcher.Matches(text, [term]));

    [Fact]
    public void Load_FailsNamingTheProblem_WhenSizeRowIsMissing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json"))
            .Replace("\"1080p\": {", "\"1080x\": {", StringComparison.Ordinal);
        File.WriteAllText(path, json);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(path));
            Assert.Contains("1080p", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("\"rateField\": \"resolution\", \"durationField\": \"duration\", \"audioField\": \"generate_audio\",", null)]
    [InlineData("\"durationField\": \"seed\",", "pricing.durationField 'seed' differs from output's 'duration'")]
    public void Load_AcceptsOldPricingFieldNames_OnlyWhenTheyNameOutputsFields(string legacy, string? error)
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json"))
            .Replace("\"pricing\": {", "\"pricing\": { " + legacy, StringComparison.Ordinal);
        File.WriteAllText(path, json);
        try
        {
            if (error is null)
            {
                Assert.Contains(ModelCatalog.Load(path).Models, m => m.Id == "seedance-2.0-text-to-video");
            }
            else
            {
                Assert.Contains(error, Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(path)).Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Price_ReadsTheResolvedSpec_TheSameFactsTheEngineGets()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""{"prompt":"p","resolution":"1080p","duration":7,"ratio":"adaptive"}""");
        var spec = ModelCatalog.Resolve(Model, InputValidator.Validate(Model, doc.RootElement), 3);
        Assert.Equal(("16:9", 1920, 1080, 7, 168), (spec.Ratio, spec.Width, spec.Height, spec.DurationSeconds, spec.FrameCount));
        Assert.Equal(80 * 7, ModelCatalog.Price(Model, spec));
        Assert.Equal(spec, GenerationSpecJson.Deserialize(GenerationSpecJson.Serialize(spec)));
    }
}
