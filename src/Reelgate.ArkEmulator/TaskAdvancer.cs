namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// The background loop: moves every task along each tick, so tasks progress and callbacks fire
/// while nobody polls. Ticks come from the emulator's clock. One delay at a time, not a
/// PeriodicTimer: a fake clock advanced by a day then fires once, not once per missed period.
/// </summary>
internal sealed class TaskAdvancer(ArkTaskStore store, ArkEmulatorOptions options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.TickInterval, time, stoppingToken);
                store.AdvanceAll();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
