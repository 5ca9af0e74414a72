namespace Reelgate.Core.Tasks;

/// <summary>A task a worker has claimed, with the lease token that fences its completion.</summary>
public sealed record ClaimedTask(TaskRecord Task, string LeaseToken, int Attempt);
