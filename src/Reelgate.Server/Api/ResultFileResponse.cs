using Microsoft.Net.Http.Headers;
using Reelgate.Core.Results;

namespace Reelgate.Server.Api;

/// <summary>
/// The one way a stored result file is answered, whoever was allowed to ask (a signed
/// <c>/files/...</c> URL, or OpenAI's <c>GET /v1/videos/{id}/content</c> with a key): its
/// <c>Content-Type</c>, <c>ETag</c>, <c>Last-Modified</c>, ranges and conditional requests; from
/// local disk, streamed from an object store, or a redirect to a short-lived presigned URL. The
/// surface words the two refusals (store unreachable, file missing) in its own error shape.
/// </summary>
public static class ResultFileResponse
{
    /// <summary>How long a redirect target stays valid: long enough to start a download, no longer.</summary>
    public static readonly TimeSpan DirectUrlLifetime = TimeSpan.FromMinutes(5);

    public static async Task<IResult> ServeAsync(IResultStore store, string key, HttpContext http, Func<int, string, IResult> error)
    {
        ResultFile? file;
        try
        {
            file = await store.FindAsync(key, http.RequestAborted);
        }
        catch (IOException)
        {
            return error(503, "the result store is unreachable; try again shortly");
        }

        if (file is null)
        {
            return error(404, "file not found");
        }

        var etag = EntityTagHeaderValue.Parse(file.ETag);
        if (file.LocalPath is { } path)
        {
            http.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.File(path, file.ContentType, lastModified: file.LastModified, entityTag: etag, enableRangeProcessing: true);
        }

        // An object store: a redirect to a short-lived presigned URL when configured (the bytes
        // never pass through Reelgate), else streamed with ranges, conditional requests and all.
        if (store.DirectUrl(file, DirectUrlLifetime) is { } direct)
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Redirect(direct.AbsoluteUri);
        }

        http.Response.Headers.CacheControl = "private, max-age=3600";
        var stream = await store.OpenReadAsync(file, http.RequestAborted);
        return Results.Stream(stream, file.ContentType, lastModified: file.LastModified, entityTag: etag, enableRangeProcessing: true);
    }
}
