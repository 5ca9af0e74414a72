namespace Reelgate.Core.Results;

/// <summary>A stored result file, with what HTTP needs to serve it.</summary>
public sealed record ResultFile(string Path, long Length, DateTimeOffset LastModified, string ContentType);
