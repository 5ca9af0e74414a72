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

        return await ResultFileResponse.ServeAsync(store, key, http, ApiResults.Error);
    }
}
