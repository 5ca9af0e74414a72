using System.Text.RegularExpressions;
using Reelgate.Core.Media;
using Reelgate.Core.Uploads;

namespace Reelgate.Server.Creation;

/// <summary>
/// At create, finds the media inputs that name files uploaded to this server (their signed URL,
/// <c>/files/file_{id}/source.{ext}</c>, on whatever host the client reached us by) and marks
/// them with the file id, so the worker reads them from storage and never fetches them. An
/// upload is private to its account: another account's file, an expired or deleted one, or one
/// of the wrong kind for the field is refused here, with the field and index.
/// </summary>
public sealed partial class UploadReferences(IUploadStore uploads, TimeProvider time)
{
    public async Task<UploadCheck> ResolveAsync(string accountId, IReadOnlyList<MediaInput> media, CancellationToken ct)
    {
        if (media.Count == 0)
        {
            return new UploadCheck(media, null, null);
        }

        var resolved = new List<MediaInput>(media.Count);
        foreach (var input in media)
        {
            if (!Uri.TryCreate(input.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || UploadPath().Match(uri.AbsolutePath) is not { Success: true } match)
            {
                resolved.Add(input);
                continue;
            }

            var file = await uploads.FindAsync(match.Groups["id"].Value, ct);
            if (file is null)
            {
                // Not a file of ours (another server's URL of the same shape): fetched like any URL.
                resolved.Add(input);
                continue;
            }

            if (file.AccountId != accountId)
            {
                return Refuse(input, "names a file uploaded by another account");
            }

            if (file.ExpiresAt <= time.GetUtcNow())
            {
                return Refuse(input, "names an uploaded file that has expired; upload it again");
            }

            if (file.Info.Kind != input.Kind)
            {
                return Refuse(input, $"names an uploaded {file.Info.Kind.ToString().ToLowerInvariant()} file; this field takes {(input.Kind == MediaKind.Image ? "an image" : input.Kind == MediaKind.Video ? "a video" : "an audio file")}");
            }

            resolved.Add(input with { FileId = file.FileId });
        }

        return new UploadCheck(resolved, null, null);
    }

    private static UploadCheck Refuse(MediaInput input, string reason) => new(null, input.Where, $"{input.Where} {reason}");

    [GeneratedRegex(@"^/files/(?<id>file_[A-Za-z0-9]{1,64})/source\.(png|jpg|webp|mp4|mov|mp3|wav|m4a)$")]
    private static partial Regex UploadPath();
}

/// <summary>The media inputs with upload ids set, or the field and the reason one was refused.</summary>
public sealed record UploadCheck(IReadOnlyList<MediaInput>? Media, string? Field, string? Detail);
