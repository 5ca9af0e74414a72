namespace Reelgate.Core.Uploads;

/// <summary>
/// The uploads table (one per backend, same conformance suite). The quota check and the insert
/// are one atomic step per account, so racing uploads never pass the quota together.
/// </summary>
public interface IUploadStore
{
    /// <summary>Records the file unless the account's unexpired uploads plus this one exceed <paramref name="quotaBytes"/>.</summary>
    Task<UploadAdmission> AddAsync(UploadedFile file, long quotaBytes, DateTimeOffset now, CancellationToken ct);

    /// <summary>The file, or null when unknown or already deleted (expired files are returned until retention deletes them; callers compare <see cref="UploadedFile.ExpiresAt"/>).</summary>
    Task<UploadedFile?> FindAsync(string fileId, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> files whose <see cref="UploadedFile.ExpiresAt"/> has passed, oldest first (retention).</summary>
    Task<IReadOnlyList<UploadedFile>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Deletes the row (retention deletes the bytes first); deleting an absent one is not an error.</summary>
    Task DeleteAsync(string fileId, CancellationToken ct);
}
