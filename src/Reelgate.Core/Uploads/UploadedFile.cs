using Reelgate.Core.Media;

namespace Reelgate.Core.Uploads;

/// <summary>
/// A file a client uploaded, checked by content at upload so it never fails a task later. Its
/// bytes are in the result store under <see cref="Key"/> (<c>file_{id}/source.{ext}</c>); it
/// belongs to one account and is deleted at <see cref="ExpiresAt"/>. <see cref="FileName"/> is
/// the client's name, kept for display only (never part of a key or a path).
/// </summary>
public sealed record UploadedFile(
    string FileId,
    string AccountId,
    string Key,
    string FileName,
    MediaInfo Info,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
