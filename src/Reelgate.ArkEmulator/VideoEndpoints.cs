using System.Security;
using System.Text;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// <c>GET /videos/{id}.mp4</c> (and <c>{id}.png</c>, the last frame): the object store behind the video URLs. Answers like one: the MP4
/// (Range requests work) while the URL is valid, an XML <c>AccessDenied</c> "Request has expired"
/// (403) after, and <c>NoSuchKey</c> (404) for anything else. No API key, as for a signed URL.
/// </summary>
internal static class VideoEndpoints
{
    public static IEndpointRouteBuilder MapVideoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/videos/{file}", Download);
        return app;
    }

    private static IResult Download(string file, VideoShelf shelf, ArkStats stats, TimeProvider time)
    {
        var isFrame = file.EndsWith(".png", StringComparison.Ordinal);
        var video = file.EndsWith(".mp4", StringComparison.Ordinal) || isFrame ? shelf.Find(file[..^4]) : null;
        if (video is null || (isFrame && video.LastFramePath is null))
        {
            return StoreError(time, 404, "NoSuchKey", "The specified key does not exist.");
        }

        if (time.GetUtcNow() >= video.ExpiresAt)
        {
            return StoreError(time, 403, "AccessDenied", "Request has expired");
        }

        stats.Download();
        return isFrame
            ? Results.File(video.LastFramePath!, "image/png")
            : Results.File(video.Path, "video/mp4", enableRangeProcessing: true);
    }

    private static IResult StoreError(TimeProvider time, int status, string code, string message)
    {
        var xml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message><RequestId>{ArkErrors.NewRequestId(time)}</RequestId></Error>
            """;
        return Results.Content(xml, "application/xml", Encoding.UTF8, status);
    }
}
