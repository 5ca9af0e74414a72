using Reelgate.Core.Uploads;

namespace Reelgate.Server.Uploads;

/// <summary>
/// What an upload came to: the stored file and its signed URL (valid until the file expires), or
/// the HTTP status and message of the refusal (422 for a file that is not accepted or would pass
/// the account's quota, 400 for a request that carries no usable file).
/// </summary>
public sealed record UploadResult(UploadedFile? File, string? Url, int ErrorCode, string? Error)
{
    public bool Stored => File is not null;

    public static UploadResult Ok(UploadedFile file, string url) => new(file, url, 0, null);

    public static UploadResult Refused(int code, string error) => new(null, null, code, error);
}
