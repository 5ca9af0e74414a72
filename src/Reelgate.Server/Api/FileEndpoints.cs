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
        app.MapMethods("/files/{**key}", [HttpMethods.Get, HttpMethods.Head], Serve);
        return app;
    }

    private static IResult Serve(string key, HttpContext http, ResultUrlSigner signer, IResultStore store)
    {
        var query = http.Request.Query;
        if (query["expires"].Count != 1 || query["sig"].Count != 1 || !signer.Verify(key, query["expires"], query["sig"]))
        {
            return ApiResults.Error(403, "forbidden");
        }

        var file = store.Find(key);
        if (file is null)
        {
            return ApiResults.Error(404, "file not found");
        }

        var etag = new EntityTagHeaderValue($"\"{file.Length:x}-{file.LastModified.ToUnixTimeMilliseconds():x}\"");
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.File(file.Path, file.ContentType, lastModified: file.LastModified, entityTag: etag, enableRangeProcessing: true);
    }
}
