using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Engines.Tests;

/// <summary>ffmpeg is started without the server's Reelgate settings (admin key, credentials) in its environment.</summary>
public sealed class ChildEnvironmentTests
{
    [Fact]
    public async Task Ffmpeg_DoesNotInheritReelgateSettings_FromTheEnvironment()
    {
        var dir = Directory.CreateTempSubdirectory("reelgate-env-").FullName;
        const string Secret = "admin-secret-never-in-a-child-0123456789";
        Environment.SetEnvironmentVariable("Reelgate__AdminKey", Secret);
        Environment.SetEnvironmentVariable("REELGATE_API_KEY", Secret);
        try
        {
            // A wrapper that records the environment ffmpeg is given, then runs the real ffmpeg.
            var dump = Path.Combine(dir, "env.txt");
            var wrapper = Path.Combine(dir, "ffmpeg");
            await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nenv > '{dump}'\nexec /usr/bin/ffmpeg \"$@\"\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var renderer = new BuiltInRenderer(new BuiltInRendererOptions { Preset = "ultrafast", FfmpegPath = wrapper }, NullLogger<BuiltInRenderer>.Instance);
            var spec = new GenerationSpec("m", "environment check", "16:9", "480p", 864, 496, 24, 1, false, 1, false);

            var result = await renderer.GenerateAsync(new EngineJob("task_env", spec, Path.Combine(dir, "out.mp4")), new Progress<int>(), TestContext.Current.CancellationToken);

            Assert.True(result.Succeeded, result.FailMessage);
            var env = await File.ReadAllTextAsync(dump, TestContext.Current.CancellationToken);
            Assert.Contains("PATH=", env, StringComparison.Ordinal); // the dump is real
            Assert.DoesNotContain(Secret, env, StringComparison.Ordinal);
            Assert.DoesNotContain("Reelgate__", env, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Reelgate__AdminKey", null);
            Environment.SetEnvironmentVariable("REELGATE_API_KEY", null);
            Directory.Delete(dir, recursive: true);
        }
    }
}
