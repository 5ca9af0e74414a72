using Microsoft.Extensions.Options;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Core.Uploads;
using Reelgate.Server.Options;
using Reelgate.Server.Security;

namespace Reelgate.Server.Inputs;

/// <summary>
/// Makes a task's media inputs local, checked files before its engines run. For each input in
/// the spec's order: the copy an earlier claim stored (<c>{taskId}/input-{n}.{ext}</c>) if there
/// is one, so every attempt, retry and failover sees the same bytes; else the uploaded file
/// (this account's, unexpired), the <c>data:</c> URI's bytes, or the URL fetched by
/// <see cref="InputFetcher"/>. Each is inspected by content, then stored under the task's key
/// prefix (so it expires with the results). The first problem ends preparation; the directory
/// is then deleted whole, as it is when the caller's token is cancelled.
/// </summary>
public sealed class InputPreparer(
    InputFetcher fetcher,
    IResultStore results,
    IUploadStore uploads,
    IMediaInspector inspector,
    ResultUrlSigner signer,
    TimeProvider time,
    IOptions<ReelgateOptions> options)
{
    /// <summary>How long an upstream engine may fetch a stored input by its signed URL.</summary>
    public static readonly TimeSpan UpstreamUrlLifetime = TimeSpan.FromHours(24);

    private readonly ReelgateOptions _options = options.Value;

    /// <summary>Prepares the inputs of <paramref name="spec"/> in <paramref name="directory"/> (created; deleted on a problem).</summary>
    public async Task<PreparedInputs> PrepareAsync(string taskId, string accountId, ModelDefinition model, GenerationSpec spec, string directory, CancellationToken ct)
    {
        if (spec.Media.Count == 0)
        {
            return new PreparedInputs(AdaptiveRatio.Apply(model, spec, null), [], null, null);
        }

        Directory.CreateDirectory(directory);
        var ok = false;
        try
        {
            var media = new List<LocalMedia>(spec.Media.Count);
            for (var n = 0; n < spec.Media.Count; n++)
            {
                var input = spec.Media[n];
                var (local, problem) = await PrepareOneAsync(taskId, accountId, n, input, directory, ct);
                if (local is null)
                {
                    return PreparedInputs.Failed(spec, FailCodes.InputInvalid, $"{input.Where} {problem}; the cost was refunded");
                }

                media.Add(local);
            }

            var first = media.FirstOrDefault(m => m.Input.Role == MediaRoles.FirstFrame)?.Info;
            ok = true;
            return new PreparedInputs(AdaptiveRatio.Apply(model, spec, first is null ? null : (first.Width, first.Height)), media, null, null);
        }
        catch (IOException)
        {
            return PreparedInputs.Failed(spec, FailCodes.InternalError, "the media inputs could not be stored; the cost was refunded");
        }
        finally
        {
            if (!ok)
            {
                DeleteDirectory(directory);
            }
        }
    }

    /// <summary>Deletes a claim's input directory (after the run, or after a problem); a file still open is left for the next start's clean-up.</summary>
    public static void DeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for WorkDirectory.DeleteLeftovers at the next start.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private async Task<(LocalMedia? Media, string? Problem)> PrepareOneAsync(string taskId, string accountId, int n, MediaInput input, string directory, CancellationToken ct)
    {
        var download = Path.Combine(directory, $"input-{n}.download");
        var max = MediaLimits.MaxBytes(input.Kind);
        var stored = await FindStoredAsync(taskId, n, input.Kind, ct);
        var outcome = stored is not null ? await CopyAsync(stored, download, max, ct)
            : input.FileId is { } fileId ? await ReadUploadAsync(fileId, accountId, download, max, ct)
            : DataUri.Is(input.Url) ? await DataUri.DecodeToFileAsync(input.Url, download, max, ct)
            : await fetcher.FetchAsync(input.Url, input.Kind, download, ct);
        if (!outcome.Ok)
        {
            return (null, outcome.Problem);
        }

        var check = await inspector.InspectAsync(download, input.Kind, ct);
        if (check.Info is not { } info)
        {
            return (null, check.Problem ?? "is not an accepted file");
        }

        var name = TaskFiles.Input(n, info.Extension);
        var path = Path.Combine(directory, name);
        File.Move(download, path, overwrite: true);
        if (stored is null)
        {
            // The local store moves what it is given: it gets a copy, the engines keep the original.
            var copy = path + ".put";
            File.Copy(path, copy, overwrite: true);
            await results.PutAsync(taskId, name, copy, ct);
            File.Delete(copy);
        }

        return (new LocalMedia(input, info, path, await UpstreamUrlAsync(input, taskId + "/" + name, info, path, ct)), null);
    }

    /// <summary>The copy an earlier claim of the task stored, whatever extension inspection gave it.</summary>
    private async Task<ResultFile?> FindStoredAsync(string taskId, int n, MediaKind kind, CancellationToken ct)
    {
        foreach (var ext in TaskFiles.Extensions(kind))
        {
            if (await results.FindAsync(taskId + "/" + TaskFiles.Input(n, ext), ct) is { } file)
            {
                return file;
            }
        }

        return null;
    }

    private async Task<FetchOutcome> ReadUploadAsync(string fileId, string accountId, string destination, long max, CancellationToken ct)
    {
        var upload = await uploads.FindAsync(fileId, ct);
        if (upload is null || upload.AccountId != accountId)
        {
            // Another account's file is reported as unknown: ids are not a way to probe.
            return FetchOutcome.Refused($"names an uploaded file that does not exist ({fileId})");
        }

        if (upload.ExpiresAt <= time.GetUtcNow())
        {
            return FetchOutcome.Refused($"names an uploaded file that has expired ({fileId})");
        }

        return await results.FindAsync(upload.Key, ct) is { } file
            ? await CopyAsync(file, destination, max, ct)
            : FetchOutcome.Refused($"names an uploaded file whose bytes are gone ({fileId})");
    }

    private async Task<FetchOutcome> CopyAsync(ResultFile file, string destination, long max, CancellationToken ct)
    {
        await using var source = await results.OpenReadAsync(file, ct);
        return await LimitedCopy.ToFileAsync(source, destination, max, ct);
    }

    /// <summary>
    /// The URL an upstream engine is given: the client's own public URL; else a signed URL of the
    /// stored copy on <c>Reelgate:PublicBaseUrl</c>; else the bytes as a <c>data:</c> URI.
    /// </summary>
    private async Task<string> UpstreamUrlAsync(MediaInput input, string key, MediaInfo info, string path, CancellationToken ct)
    {
        if (input.FileId is null && Uri.TryCreate(input.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return input.Url;
        }

        if (_options.PublicBaseUrl is { Length: > 0 } origin)
        {
            return signer.Sign(origin, key, UpstreamUrlLifetime);
        }

        return $"data:{info.MimeType};base64,{Convert.ToBase64String(await File.ReadAllBytesAsync(path, ct))}";
    }
}
