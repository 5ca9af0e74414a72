using Reelgate.Core.Catalog;

namespace Reelgate.Core.Tests;

public sealed class AdaptiveRatioTests
{
    private static readonly ModelDefinition Model = ModelCatalog.Load(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json")).Models.First();

    private static GenerationSpec Spec(string ratio, string resolution = "720p") =>
        new(Model.Id, "x", ratio, resolution, 0, 0, 24, 5, false, 1, false);

    [Theory]
    [InlineData(1920, 1080, "16:9", 1280, 720)]
    [InlineData(1080, 1920, "9:16", 720, 1280)]
    [InlineData(1000, 1000, "1:1", 960, 960)]
    [InlineData(1200, 900, "4:3", 1112, 834)]
    [InlineData(900, 1200, "3:4", 834, 1112)]
    [InlineData(2400, 1000, "21:9", 1470, 630)]
    [InlineData(1500, 1000, "4:3", 1112, 834)] // 3:2: log distance 0.12 to 4:3, 0.17 to 16:9
    [InlineData(1700, 1000, "16:9", 1280, 720)]
    [InlineData(6000, 2400, "21:9", 1470, 630)] // 2.5, wider than every ratio
    public void Apply_TakesNearestRatio_WhenFirstFrameGiven(int width, int height, string ratio, int outWidth, int outHeight)
    {
        var spec = AdaptiveRatio.Apply(Model, Spec("adaptive"), (width, height));

        Assert.Equal((ratio, outWidth, outHeight), (spec.Ratio, spec.Width, spec.Height));
    }

    [Fact]
    public void Apply_UsesResolutionSizes_WhenResolutionIs480p()
    {
        var spec = AdaptiveRatio.Apply(Model, Spec("adaptive", "480p"), (500, 900));

        Assert.Equal(("9:16", 496, 864), (spec.Ratio, spec.Width, spec.Height));
    }

    [Fact]
    public void Apply_TakesAdaptiveDefault_WhenNoFirstFrame()
    {
        var spec = AdaptiveRatio.Apply(Model, Spec("adaptive"), null);

        Assert.Equal(("16:9", 1280, 720), (spec.Ratio, spec.Width, spec.Height));
    }

    [Fact]
    public void Apply_LeavesSpec_WhenRatioIsNotAdaptive()
    {
        var given = Spec("4:3") with { Width = 1112, Height = 834 };

        Assert.Same(given, AdaptiveRatio.Apply(Model, given, (1080, 1920)));
    }
}
