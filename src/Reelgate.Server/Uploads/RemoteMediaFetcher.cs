using Reelgate.Server.Inputs;

namespace Reelgate.Server.Uploads;

/// <summary>
/// The <c>fileUrl</c> form of an upload: the worker's own fetcher (<see cref="InputFetcher"/>:
/// the same address rules, <c>Reelgate:Inputs:AllowedHosts</c>, redirects re-checked, the
/// timeout, the size limit while streaming) into a spooled file of the upload service.
/// </summary>
public sealed class RemoteMediaFetcher(InputFetcher fetcher, UploadService uploads)
{
    /// <summary>The fetched bytes spooled to a temporary file, or why the URL could not be fetched (a sentence for the client).</summary>
    public async Task<(SpooledFile? File, string? Error)> FetchAsync(string url, CancellationToken ct)
    {
        var path = uploads.SpoolPath();
        var outcome = await fetcher.FetchAsync(url, null, path, ct);
        if (outcome.Ok && File.Exists(path))
        {
            return (SpooledFile.Kept(path, new FileInfo(path).Length), null);
        }

        File.Delete(path);
        return (null, "fileUrl " + outcome.Problem);
    }
}
