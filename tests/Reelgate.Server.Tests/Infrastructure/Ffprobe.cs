using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>Runs Debian's ffprobe on a file and returns its JSON (streams with counted frames, format).</summary>
public static class Ffprobe
{
    public static async Task<JsonObject> ProbeAsync(string path)
    {
        var psi = new ProcessStartInfo("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, p.ExitCode);
        return JsonNode.Parse(output)!.AsObject();
    }

    public static JsonObject? Stream(JsonObject probe, string type) =>
        probe["streams"]!.AsArray().Select(s => s!.AsObject()).FirstOrDefault(s => (string?)s["codec_type"] == type);
}
