namespace Reelgate.Core.Tasks;

/// <summary>A keyset position in an account's task list: the create time and id of the last task seen.</summary>
public readonly record struct TaskCursor(long CreateTime, string TaskId);
