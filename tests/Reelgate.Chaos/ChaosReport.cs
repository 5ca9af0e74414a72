namespace Reelgate.Chaos;

/// <summary>Counts of broken promises; all must be zero.</summary>
public sealed class ChaosReport
{
    public int Tasks { get; set; }
    public int Lost { get; set; }
    public int DoubleCharged { get; set; }
    public int Stuck { get; set; }
    public int Unrefunded { get; set; }
    public int BadVideo { get; set; }
    public int BalanceMismatch { get; set; }
    public int Phantom { get; set; }
    public int ReplayMismatch { get; set; }
    public List<string> Problems { get; } = [];

    public bool Ok => Lost + DoubleCharged + Stuck + Unrefunded + BadVideo + BalanceMismatch + Phantom + ReplayMismatch == 0;

    public int Kills(int kills) => kills;

    public void Merge(ChaosReport other)
    {
        DoubleCharged += other.DoubleCharged;
        Phantom += other.Phantom;
        Unrefunded += other.Unrefunded;
        Lost += other.Lost;
        Problems.AddRange(other.Problems);
    }
}
