using Reelgate.Core.Results;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Workers;

/// <summary>
/// Removes a succeeded task's files (<see cref="TaskFiles.AllKeys"/>) and then marks its results
/// expired; the record, its cost and the ledger stay. Used by retention (the leader's sweep) and
/// by a client's delete (OpenAI's <c>DELETE /v1/videos/{id}</c>). Files go first, so a crash in
/// between leaves a task whose removal is repeated, never a mark over files that still exist.
/// </summary>
public static class ResultFileRemoval
{
    /// <summary>True when this call marked the task (false: it was marked already, or did not succeed).</summary>
    public static async Task<bool> RemoveAsync(IResultStore results, ITaskStore tasks, TaskRecord task, long now, CancellationToken ct)
    {
        foreach (var key in TaskFiles.AllKeys(task))
        {
            await results.DeleteAsync(key, ct);
        }

        return await tasks.MarkResultsExpiredAsync(task.TaskId, now, ct);
    }
}
