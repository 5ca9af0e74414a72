namespace Reelgate.Server.Api;

// The request and response shapes of the upload routes, together as ApiData.cs keeps the jobs
// API's: small records read as one contract.

/// <summary>
/// The JSON body of <c>POST /api/v1/files</c> and the kie.ai base64/URL upload routes: either
/// <c>base64Data</c> (plain base64 or a <c>data:</c> URL) or <c>fileUrl</c>; <c>fileName</c> and
/// <c>uploadPath</c> are for display only.
/// </summary>
public sealed record UploadRequest(string? Base64Data, string? FileUrl, string? FileName, string? UploadPath);

/// <summary>An uploaded file: its id, signed URL (valid until <c>expiresAt</c>, ISO 8601 UTC) and what inspection found.</summary>
public sealed record UploadData(string FileId, string FileUrl, string MimeType, long FileSize, int Width, int Height, double Duration, string ExpiresAt);

/// <summary>kie.ai's upload answer data: the display path, the signed download URL, size, type and time (ISO 8601 UTC).</summary>
public sealed record KieUploadData(string FileName, string FilePath, string DownloadUrl, long FileSize, string MimeType, string UploadedAt);

/// <summary>kie.ai's success envelope: <c>{"success":true,"code":200,"msg":"File uploaded successfully","data":...}</c>.</summary>
public sealed record KieEnvelope<T>(bool Success, int Code, string Msg, T Data);

/// <summary>kie.ai's error envelope: <c>{"success":false,"code":N,"msg":"..."}</c>; the HTTP status equals the code.</summary>
public sealed record KieError(bool Success, int Code, string Msg);
