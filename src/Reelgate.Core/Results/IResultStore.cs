namespace Reelgate.Core.Results;

/// <summary>
/// Where result files live. Keys are <c>{taskId}/{fileName}</c> and never contain anything
/// a client chose, so no key can point outside the store.
/// </summary>
public interface IResultStore
{
    /// <summary>Moves or copies a finished file into the store and returns its key.</summary>
    Task<string> PutAsync(string taskId, string fileName, string sourcePath, CancellationToken ct);

    /// <summary>The file's local path for a key, or null when the key is malformed or absent.</summary>
    ResultFile? Find(string key);
}
