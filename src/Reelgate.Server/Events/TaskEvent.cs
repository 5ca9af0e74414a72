namespace Reelgate.Server.Events;

/// <summary>A change of one task: its state, progress and failCode at <see cref="UpdateTime"/>. <see cref="Id"/> orders events on this node.</summary>
public sealed record TaskEvent(long Id, string AccountId, string TaskId, string State, int Progress, string? FailCode, long UpdateTime);
