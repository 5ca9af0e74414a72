namespace Reelgate.Core.Results;

/// <summary>
/// Where result files live: local disk (one node, or a shared volume) or an S3-compatible
/// bucket (many nodes). Keys are <c>{taskId}/{fileName}</c> and never contain anything a client
/// chose (<see cref="ResultKeys"/>), so no key can point outside the store.
/// </summary>
public interface IResultStore
{
    /// <summary>Where the files go, for the start-up log (never a secret).</summary>
    string Description { get; }

    /// <summary>Checks at start that the store is usable (the bucket exists, or is created when allowed).</summary>
    Task EnsureReadyAsync(CancellationToken ct);

    /// <summary>
    /// A cheap check that the store takes results now (the readiness check): throws
    /// <see cref="IOException"/> when it cannot. Leaves nothing behind.
    /// </summary>
    Task ProbeAsync(CancellationToken ct);

    /// <summary>
    /// Moves or copies a finished file into the store and returns its key. Putting the same key
    /// again replaces it whole (a retried task). Throws <see cref="IOException"/> when the store
    /// cannot take the file (disk full, bucket unreachable after retries).
    /// </summary>
    Task<string> PutAsync(string taskId, string fileName, string sourcePath, CancellationToken ct);

    /// <summary>Removes a file (retention); removing an absent one is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>The file's metadata, or null when the key is malformed or absent.</summary>
    Task<ResultFile?> FindAsync(string key, CancellationToken ct);

    /// <summary>A readable, seekable stream of a found file's bytes (the caller disposes it).</summary>
    Task<Stream> OpenReadAsync(ResultFile file, CancellationToken ct);

    /// <summary>
    /// A URL the client may fetch the file from directly for <paramref name="lifetime"/> (a
    /// presigned S3 URL), or null when Reelgate streams the bytes itself.
    /// </summary>
    Uri? DirectUrl(ResultFile file, TimeSpan lifetime);
}
