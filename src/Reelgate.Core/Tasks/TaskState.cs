namespace Reelgate.Core.Tasks;

/// <summary>The public states of a task: <c>waiting</c> (queued or generating), <c>success</c>, <c>fail</c>.</summary>
public static class TaskState
{
    public const string Waiting = "waiting";
    public const string Success = "success";
    public const string Fail = "fail";
}
