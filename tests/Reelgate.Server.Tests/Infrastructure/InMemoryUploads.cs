using Reelgate.Core.Uploads;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>The uploads table as a dictionary (the real stores have their own conformance suite).</summary>
public sealed class InMemoryUploads : IUploadStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, UploadedFile> _files = new(StringComparer.Ordinal);

    public Task<UploadAdmission> AddAsync(UploadedFile file, long quotaBytes, DateTimeOffset now, CancellationToken ct)
    {
        _files[file.FileId] = file;
        return Task.FromResult(UploadAdmission.Accepted(file.Info.Size));
    }

    public Task<UploadedFile?> FindAsync(string fileId, CancellationToken ct) => Task.FromResult(_files.GetValueOrDefault(fileId));

    public Task<IReadOnlyList<UploadedFile>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<UploadedFile>>([.. _files.Values.Where(f => f.ExpiresAt <= now).Take(limit)]);

    public Task DeleteAsync(string fileId, CancellationToken ct)
    {
        _files.TryRemove(fileId, out _);
        return Task.CompletedTask;
    }
}
