using Microsoft.Net.Http.Headers;
using Reelgate.Core.Results;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>GET /files/{taskId}/{file}?expires=&amp;sig=</c>: result files for whoever holds a signed
/// URL, with no Authorization header (as from a CDN). A bad or expired signature is 403;
/// a key outside the store's strict pattern or a missing file is 404.
/// </summary>
public static class FileEndpoints
{
    public static IEndpointRouteBuilder MapResultFiles(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/files/{**key}", [HttpMethods.Get, HttpMethods.Head], Serve).WithTags("Files");
        return app;
    }

    private static async Task<IResult> Serve(string key, HttpContext http, ResultUrlSigner signer, IResultStore store)
    {
        var query = http.Request.Query;
        if (query["expires"].Count != 1 || query["sig"].Count != 1 || !signer.Verify(key, query["expires"], query["sig"]))
        {
            return ApiResults.Error(403, "forbidden");
        }

        ResultFile? file;
        try
        {
            file = await store.FindAsync(key, http.RequestAborted);
        }
        catch (IOException)
        {
            return ApiResults.Error(503, "the result store is unreachable; try again shortly");
        }

        if (file is null)
        {
            return ApiResults.Error(404, "file not found");
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

    /// <summary>How long a redirect target stays valid: long enough to start a download, no longer.</summary>
    public static readonly TimeSpan DirectUrlLifetime = TimeSpan.FromMinutes(5);
}
