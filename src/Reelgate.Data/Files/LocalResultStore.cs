using Reelgate.Core.Results;

namespace Reelgate.Data.Files;

/// <summary>
/// Result files on local disk under <c>{root}/{taskId}/{fileName}</c>. Keys are checked
/// against a strict pattern and the resolved path must stay under the root, so neither
/// <c>..</c>, absolute paths nor symlinks lead outside the store.
/// </summary>
public sealed class LocalResultStore : IResultStore
{
    private readonly string _root;

    public LocalResultStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public string Description => "local directory " + _root;

    public Task EnsureReadyAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes a few bytes to a fresh file in the root and deletes it. Probe files are named so no
    /// result key can ever match them (<see cref="ResultKeys"/>).
    /// </summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        var probe = Path.Combine(_root, ".probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await file.WriteAsync("ok"u8.ToArray(), ct);
                await file.FlushAsync(ct);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException("the results directory is not writable", e);
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (IOException)
            {
                // A leftover probe file is harmless: nothing serves it.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
    }

    public async Task<string> PutAsync(string taskId, string fileName, string sourcePath, CancellationToken ct)
    {
        var key = taskId + "/" + fileName;
        if (!ResultKeys.IsValid(key))
        {
            throw new ArgumentException("result key is not of the form {taskId}/{fileName}", nameof(fileName));
        }

        var dir = Path.Combine(_root, taskId);
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, fileName);
        var temp = target + ".part";
        // The finished file is flushed to disk, then renamed into place: a crash leaves either
        // no result or a whole one. Same filesystem (the default, work/ and results/ share the
        // data directory): a rename, no copy. Otherwise: copy to .part, flush, rename.
        using (var flush = new FileStream(sourcePath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            flush.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(sourcePath, target, overwrite: true);
            return key;
        }
        catch (IOException)
        {
            // Another filesystem: fall through to copying.
        }

        await using (var src = File.OpenRead(sourcePath))
        await using (var dst = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await src.CopyToAsync(dst, ct);
            await dst.FlushAsync(ct);
            dst.Flush(flushToDisk: true);
        }

        File.Move(temp, target, overwrite: true);
        return key;
    }

    public Task<ResultFile?> FindAsync(string key, CancellationToken ct) => Task.FromResult(Find(key));

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        if (Find(key) is { LocalPath: { } path })
        {
            File.Delete(path);
            var dir = Path.GetDirectoryName(path)!;
            if (!Directory.EnumerateFileSystemEntries(dir).Any())
            {
                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                    // A file arrived meanwhile; the directory stays.
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<Stream> OpenReadAsync(ResultFile file, CancellationToken ct) =>
        Task.FromResult<Stream>(new FileStream(file.LocalPath ?? throw new ArgumentException("not a local file", nameof(file)), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous));

    /// <summary>Local files are always served by Reelgate itself.</summary>
    public Uri? DirectUrl(ResultFile file, TimeSpan lifetime) => null;

    private ResultFile? Find(string key)
    {
        if (!ResultKeys.IsValid(key))
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(_root, key));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return null;
        }

        var info = new FileInfo(full);
        if (!info.Exists || info.LinkTarget is not null || info.Directory?.LinkTarget is not null)
        {
            return null;
        }

        var modified = new DateTimeOffset(info.LastWriteTimeUtc);
        var etag = "\"" + info.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "-" + modified.ToUnixTimeMilliseconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\"";
        return new ResultFile(key, info.Length, modified, ResultKeys.ContentType(key), etag, full);
    }
}
