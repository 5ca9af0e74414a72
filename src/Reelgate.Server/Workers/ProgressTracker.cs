namespace Reelgate.Server.Workers;

/// <summary>Latest progress reported by the engine (0-100, never backwards), read by the heartbeat.</summary>
internal sealed class ProgressTracker : IProgress<int>
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public void Report(int value) => Volatile.Write(ref _value, Math.Clamp(value, Value, 100));
}
