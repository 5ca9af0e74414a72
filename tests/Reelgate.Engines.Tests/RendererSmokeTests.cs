using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Engines.Tests;

public sealed class RendererSmokeTests
{
    [Fact]
    public async Task GenerateAsync_WritesExactSizeAndFrames_WhenFfmpegIsPresent()
    {
        var renderer = new BuiltInRenderer(new BuiltInRendererOptions { Preset = "ultrafast" }, NullLogger<BuiltInRenderer>.Instance);
        var output = Path.Combine(Path.GetTempPath(), $"smoke-{Guid.NewGuid():N}.mp4");
        try
        {
            var spec = new GenerationSpec("m", "smoke test", "21:9", "480p", 992, 432, 24, 1, false, 1, false);
            var result = await renderer.GenerateAsync(new EngineJob("task_smoke", spec, output), new Progress<int>(), TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);
            var psi = new ProcessStartInfo("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v", "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", output]) { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            var line = (await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim();
            Assert.Equal("992,432,24", line);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
