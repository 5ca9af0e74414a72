namespace Reelgate.Core.Results;

/// <summary>
/// A stored result file, with what HTTP needs to serve it. <see cref="LocalPath"/> is set when
/// the bytes are on this node's disk (served with sendfile); <see cref="ETag"/> is quoted.
/// </summary>
public sealed record ResultFile(string Key, long Length, DateTimeOffset LastModified, string ContentType, string ETag, string? LocalPath = null);
