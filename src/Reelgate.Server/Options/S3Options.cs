namespace Reelgate.Server.Options;

/// <summary>
/// <c>Reelgate:S3</c>: the bucket for result files when <c>Reelgate:ResultStore</c> is <c>s3</c>
/// (any S3-compatible server: AWS S3, MinIO, Ceph RGW, Swift's s3api). See docs/scale-out.md.
/// </summary>
public sealed class S3Options
{
    /// <summary>The endpoint, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>The signing region; us-east-1 suits most S3-compatible servers.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id; when empty the AWS SDK's default chain (environment, profile, instance role) is used.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Prepended to every object key, e.g. <c>reelgate/</c> to share a bucket.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Path-style addressing (http://host/bucket/key): true for most self-hosted servers.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// How <c>/files/...</c> serves a result: <c>proxy</c> (default) streams it through Reelgate
    /// (ranges and conditional GETs included); <c>redirect</c> answers 302 to a presigned URL
    /// valid 5 minutes, so the bytes go straight from the bucket to the client.
    /// </summary>
    public string Serve { get; set; } = "proxy";

    /// <summary>Create the bucket at start when it is missing (off by default: a typo should fail loudly).</summary>
    public bool CreateBucket { get; set; }

    /// <summary>One S3 request's timeout (the SDK retries 3 times on top).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
