using System.Security.Cryptography;
using Reelgate.Core.Results;
using Reelgate.Data.Files;
using Reelgate.Testing;

[assembly: AssemblyFixture(typeof(Reelgate.Testing.S3Server))]

namespace Reelgate.Data.Tests.Conformance;

/// <summary>What every result store must do, run against local disk and a real S3 server.</summary>
public abstract class ResultStoreConformance : IAsyncLifetime
{
    private readonly string _work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "reelgate-results-" + Guid.NewGuid().ToString("N"))).FullName;

    protected abstract Task<IResultStore> CreateStoreAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Put_ThenFindAndRead_GivesTheSameBytesTypeAndLength()
    {
        var store = await CreateStoreAsync();
        var bytes = RandomBytes(300_000);
        var key = await store.PutAsync("task_abc123", "video.mp4", Source(bytes), Ct);
        Assert.Equal("task_abc123/video.mp4", key);

        var file = await store.FindAsync(key, Ct);
        Assert.NotNull(file);
        Assert.Equal(bytes.Length, file.Length);
        Assert.Equal("video/mp4", file.ContentType);
        Assert.StartsWith("\"", file.ETag, StringComparison.Ordinal);
        Assert.True(file.LastModified > DateTimeOffset.UtcNow.AddMinutes(-10));
        Assert.Equal(bytes, await ReadAllAsync(store, file));
    }

    [Fact]
    public async Task Put_TakesTheSourceFileAway()
    {
        var store = await CreateStoreAsync();
        var source = Source(RandomBytes(1000));
        await store.PutAsync("task_moved", "thumb.jpg", source, Ct);
        Assert.False(File.Exists(source));
        Assert.Equal("image/jpeg", (await store.FindAsync("task_moved/thumb.jpg", Ct))!.ContentType);
    }

    [Fact]
    public async Task OpenRead_IsSeekable_AndReadsFromAnyPosition()
    {
        var store = await CreateStoreAsync();
        var bytes = RandomBytes(200_000);
        var file = (await store.FindAsync(await store.PutAsync("task_seek", "video.mp4", Source(bytes), Ct), Ct))!;
        await using var stream = await store.OpenReadAsync(file, Ct);
        Assert.True(stream.CanSeek);
        Assert.Equal(bytes.Length, stream.Length);

        foreach (var (offset, count) in new[] { (150_000L, 1000), (10L, 20), (199_990L, 10), (0L, 5) })
        {
            stream.Seek(offset, SeekOrigin.Begin);
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer, Ct);
            Assert.Equal(bytes.AsSpan((int)offset, count).ToArray(), buffer);
        }

        stream.Seek(0, SeekOrigin.End);
        Assert.Equal(0, await stream.ReadAsync(new byte[10], Ct));
    }

    [Fact]
    public async Task PutAgain_ReplacesTheFileWhole()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync("task_again", "video.mp4", Source(RandomBytes(50_000)), Ct);
        var second = RandomBytes(20_000);
        await store.PutAsync("task_again", "video.mp4", Source(second), Ct);
        var file = (await store.FindAsync("task_again/video.mp4", Ct))!;
        Assert.Equal(second.Length, file.Length);
        Assert.Equal(second, await ReadAllAsync(store, file));
    }

    [Theory]
    [InlineData("task_nothere/video.mp4")]
    [InlineData("task_abc/../../etc/passwd")]
    [InlineData("../video.mp4")]
    [InlineData("/task_abc/video.mp4")]
    [InlineData("task_abc/video.exe")]
    [InlineData("task_abc/VIDEO.mp4")]
    [InlineData("")]
    public async Task Find_MissingOrMalformedKey_IsNull(string key)
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.FindAsync(key, Ct));
    }

    [Fact]
    public async Task Put_RejectsAKeyOutsideThePattern()
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("task_x", "../evil.mp4", Source(RandomBytes(10)), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("other", "video.mp4", Source(RandomBytes(10)), Ct));
    }

    [Fact]
    public async Task EnsureReady_IsRepeatable()
    {
        var store = await CreateStoreAsync();
        await store.EnsureReadyAsync(Ct);
        await store.EnsureReadyAsync(Ct);
        Assert.False(string.IsNullOrEmpty(store.Description));
    }

    [Fact]
    public async Task Probe_Succeeds_WhenTheStoreTakesWrites()
    {
        var store = await CreateStoreAsync();
        await store.ProbeAsync(Ct);
        await store.ProbeAsync(Ct);
    }

    protected string Source(byte[] bytes)
    {
        var path = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    protected static byte[] RandomBytes(int n) => RandomNumberGenerator.GetBytes(n);

    protected static async Task<byte[]> ReadAllAsync(IResultStore store, ResultFile file)
    {
        await using var stream = await store.OpenReadAsync(file, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}

public sealed class LocalResultStoreTests : ResultStoreConformance
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "reelgate-store-" + Guid.NewGuid().ToString("N"));

    protected override Task<IResultStore> CreateStoreAsync() => Task.FromResult<IResultStore>(new LocalResultStore(_root));

    [Fact]
    public async Task LocalFiles_HaveALocalPath_AndNoDirectUrl()
    {
        var store = await CreateStoreAsync();
        var file = (await store.FindAsync(await store.PutAsync("task_local", "video.mp4", Source(RandomBytes(100)), Ct), Ct))!;
        Assert.NotNull(file.LocalPath);
        Assert.Null(store.DirectUrl(file, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Probe_LeavesNoFile_AndThrowsIOException_WhenTheDirectoryIsGone()
    {
        var store = new LocalResultStore(_root);
        await store.ProbeAsync(Ct);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));

        Directory.Delete(_root, recursive: true);
        await Assert.ThrowsAnyAsync<IOException>(() => store.ProbeAsync(Ct));
    }
}

public sealed class S3ResultStoreTests(S3Server server) : ResultStoreConformance
{
    protected override async Task<IResultStore> CreateStoreAsync()
    {
        server.Require();
        var store = new S3ResultStore(server.Settings(server.NewBucket(), prefix: "reelgate/"));
        await store.EnsureReadyAsync(Ct);
        return store;
    }

    [Fact]
    public async Task MissingBucket_WithoutCreate_FailsNamingTheSetting()
    {
        server.Require();
        var store = new S3ResultStore(server.Settings(server.NewBucket(), create: false));
        var e = await Assert.ThrowsAsync<IOException>(() => store.EnsureReadyAsync(Ct));
        Assert.Contains("Reelgate:S3:CreateBucket", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_ThrowsIOException_WhenTheBucketIsMissing()
    {
        server.Require();
        using var store = new S3ResultStore(server.Settings(server.NewBucket(), create: false));
        await Assert.ThrowsAsync<IOException>(() => store.ProbeAsync(Ct));
    }

    [Fact]
    public async Task WrongSecret_FailsAtStart_WithoutTheSecretInTheMessage()
    {
        server.Require();
        var good = server.Settings(server.NewBucket());
        var store = new S3ResultStore(good with { SecretKey = "not-the-secret-" + Guid.NewGuid().ToString("N") });
        var e = await Assert.ThrowsAsync<IOException>(() => store.PutAsync("task_denied", "video.mp4", Source(RandomBytes(10)), Ct));
        Assert.DoesNotContain("not-the-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObjectsLiveUnderThePrefix_InTheBucket()
    {
        server.Require();
        var settings = server.Settings(server.NewBucket(), prefix: "tenant-a/");
        using var store = new S3ResultStore(settings);
        await store.EnsureReadyAsync(Ct);
        await store.PutAsync("task_prefixed", "video.mp4", Source(RandomBytes(100)), Ct);
        var listed = await store.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = settings.Bucket }, Ct);
        Assert.Equal("tenant-a/task_prefixed/video.mp4", Assert.Single(listed.S3Objects).Key);
    }

    [Fact]
    public async Task Redirect_GivesAPresignedUrlThatServesTheBytes_AndExpires()
    {
        server.Require();
        using var store = new S3ResultStore(server.Settings(server.NewBucket(), redirect: true));
        await store.EnsureReadyAsync(Ct);
        var bytes = RandomBytes(70_000);
        var file = (await store.FindAsync(await store.PutAsync("task_presigned", "video.mp4", Source(bytes), Ct), Ct))!;
        using var http = new HttpClient();
        var url = store.DirectUrl(file, TimeSpan.FromMinutes(5))!;
        Assert.Equal(bytes, await http.GetByteArrayAsync(url, Ct));

        var tampered = new Uri(url.AbsoluteUri.Replace("task_presigned", "task_presignee", StringComparison.Ordinal));
        Assert.False((await http.GetAsync(tampered, Ct)).IsSuccessStatusCode);
    }
}
