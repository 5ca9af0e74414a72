using Microsoft.Extensions.Configuration;
using Reelgate.Emulators.ModelArk;

// Reelgate.ArkEmulator [--urls http://127.0.0.1:9100] [--ApiKey KEY] [--QueueDelayMs N] [--RunDurationMs N] ...
// A ModelArk video generation API on loopback for demos; settings in docs/ark-emulator.md.
var config = new ConfigurationBuilder().AddEnvironmentVariables("ARKEMU_").AddCommandLine(args).Build();
var options = ArkEmulatorOptions.FromConfiguration(config);
var problems = options.Validate();
if (problems.Count > 0)
{
    Console.Error.WriteLine("ark-emulator: " + string.Join("; ", problems));
    return 2;
}

await using var emulator = await ArkEmulator.StartAsync(options);
Console.WriteLine($"ModelArk emulator at {emulator.BaseAddress}api/v3 (models: {string.Join(", ", options.Models)}); Ctrl+C stops it");
await emulator.WaitForShutdownAsync();
return 0;
