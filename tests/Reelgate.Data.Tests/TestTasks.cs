using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests;

/// <summary>The task the store suites create: a fixed model, body and seed, the rest as the test needs.</summary>
internal static class TestTasks
{
    public static NewTask New(string taskId, string account, string key, long cost = 10, long now = 100, string? requestId = null, string? hash = null, int? limit = null, string? callback = null) => new()
    {
        TaskId = taskId,
        AccountId = account,
        KeyId = key,
        Model = "seedance-2.0-text-to-video",
        Param = """{"model":"seedance-2.0-text-to-video"}""",
        Input = """{"prompt":"p"}""",
        Cost = cost,
        Seed = 7,
        CallBackUrl = callback,
        BaseUrl = "http://127.0.0.1:1",
        RequestId = requestId,
        RequestHash = hash,
        ActiveTaskLimit = limit,
        Now = now,
    };
}
