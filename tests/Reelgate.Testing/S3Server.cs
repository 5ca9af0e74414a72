using Reelgate.Data.Files;

namespace Reelgate.Testing;

/// <summary>
/// The test rules around <see cref="SwiftS3Server"/> (Debian's Swift with s3api on loopback):
/// one per test assembly, a fresh bucket per test; in CI a server that cannot start fails the
/// test, elsewhere it is skipped with a loud message.
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    private SwiftS3Server? _swift;
    private int _buckets;

    public string? Unavailable { get; private set; }

    public SwiftS3Server Swift => _swift ?? throw new InvalidOperationException(Unavailable);

    public async ValueTask InitializeAsync()
    {
        if (!SwiftS3Server.Installed)
        {
            Unavailable = "Swift is not installed (scripts/install-deps.sh swift swift-proxy swift-account swift-container swift-object; make test installs it)";
            return;
        }

        try
        {
            _swift = await SwiftS3Server.StartNewAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException)
        {
            Unavailable = "Swift with s3api did not start: " + e.Message;
        }
    }

    /// <summary>Fails (CI) or skips (elsewhere) the calling test when there is no server.</summary>
    public void Require()
    {
        if (Unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(Unavailable);
        }

        Console.Error.WriteLine("SKIPPED: " + Unavailable);
        Assert.Skip(Unavailable);
    }

    /// <summary>A new bucket name (not created: the store creates it when told to).</summary>
    public string NewBucket() => $"b{Interlocked.Increment(ref _buckets)}-{Guid.NewGuid():N}"[..30];

    public S3ResultStoreSettings Settings(string bucket, bool redirect = false, bool create = true, string prefix = "") =>
        new(Swift.Endpoint, bucket, Swift.Region, Swift.AccessKey, Swift.SecretKey, prefix, ForcePathStyle: true, redirect, create, TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        if (_swift is not null)
        {
            await _swift.DisposeAsync();
        }
    }
}
