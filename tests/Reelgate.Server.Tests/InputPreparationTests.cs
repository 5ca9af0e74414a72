using System.Diagnostics;
using Reelgate.Core.Catalog;
using Reelgate.Core.Media;
using Reelgate.Core.Uploads;
using Reelgate.Data.Files;
using Reelgate.Engines.Media;
using Reelgate.Server.Inputs;
using Reelgate.Server.Options;
using Reelgate.Server.Security;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// The worker's input preparation over real loopback HTTP: the SSRF-safe fetcher (address
/// policy at every hop, size limit while streaming, timeout) and the preparer (stored copy
/// reused on a retry, data: URIs, inspection, nothing left behind after a problem).
/// </summary>
public sealed class InputPreparationTests(MediaServer server) : IClassFixture<MediaServer>, IDisposable
{
    private static readonly ModelDefinition Model = ModelCatalog.Load(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json")).Models.First();

    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-inputs-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private InputFetcher Fetcher(TimeSpan? timeout = null, params string[] allowed) =>
        new(Microsoft.Extensions.Options.Options.Create(new ReelgateOptions
        {
            DataDirectory = _dir,
            Inputs = new InputOptions { AllowedHosts = [.. allowed], FetchTimeout = timeout ?? TimeSpan.FromSeconds(30) },
        }), TimeProvider.System);

    private readonly InMemoryUploads _uploads = new();

    private (InputPreparer Preparer, LocalResultStore Store) Preparer(string? publicBaseUrl = null)
    {
        var options = new ReelgateOptions { DataDirectory = _dir, PublicBaseUrl = publicBaseUrl, Inputs = new InputOptions { AllowedHosts = ["localhost"] } };
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var store = new LocalResultStore(Path.Combine(_dir, "results"));
        var inspector = new MediaInspector("/usr/bin/ffprobe");
        var signer = new ResultUrlSigner(new DataDirectorySecrets(_dir, null, new string('k', 40)), TimeProvider.System);
        return (new InputPreparer(new InputFetcher(wrapped, TimeProvider.System), store, _uploads, inspector, signer, TimeProvider.System, wrapped), store);
    }

    private static GenerationSpec Spec(string ratio, params string[] urls) =>
        new(Model.Id, "x", ratio, "720p", 1280, 720, 24, 5, false, 1, false)
        {
            Media = [.. urls.Select((u, i) => new MediaInput(i == 0 ? MediaRoles.FirstFrame : MediaRoles.ReferenceImage, "image_urls", i, u))],
        };

    private async Task<FetchOutcome> FetchAsync(InputFetcher fetcher, string url)
    {
        var target = Path.Combine(_dir, "fetched");
        var outcome = await fetcher.FetchAsync(url, MediaKind.Image, target, Ct);
        Assert.Equal(outcome.Ok, File.Exists(target));
        return outcome;
    }

    [Fact]
    public async Task Fetch_WritesTheBytes_WhenHostIsAllowed()
    {
        using var fetcher = Fetcher(null, "localhost");

        var outcome = await FetchAsync(fetcher, server.Url("/img.png"));

        Assert.True(outcome.Ok, outcome.Problem);
        Assert.Equal(server.Png, await File.ReadAllBytesAsync(Path.Combine(_dir, "fetched"), Ct));
    }

    [Fact]
    public async Task Fetch_FollowsRedirect_WhenTargetIsAllowed()
    {
        using var fetcher = Fetcher(null, "localhost");

        var outcome = await FetchAsync(fetcher, server.Url("/to-img"));

        Assert.True(outcome.Ok, outcome.Problem);
    }

    [Fact]
    public async Task Fetch_IsRefused_WhenRedirectedToLoopbackAddress()
    {
        using var fetcher = Fetcher(null, "localhost");

        var outcome = await FetchAsync(fetcher, server.Url("/to-loopback"));

        Assert.Equal("could not be fetched (refused: loopback address (127.0.0.1))", outcome.Problem);
    }

    [Fact]
    public async Task Fetch_IsRefused_WhenHostNameResolvesToLoopbackAndIsNotAllowed()
    {
        using var fetcher = Fetcher();

        var outcome = await FetchAsync(fetcher, server.Url("/img.png?refused=1"));

        Assert.StartsWith("could not be fetched (refused: loopback address", outcome.Problem);
        Assert.False(server.Requests.ContainsKey("/img.png?refused=1"));
    }

    [Fact]
    public async Task Fetch_IsRefused_WhenRedirectsNeverEnd()
    {
        using var fetcher = Fetcher(null, "localhost");

        var outcome = await FetchAsync(fetcher, server.Url("/loop"));

        Assert.Equal($"could not be fetched (more than {InputFetcher.MaxRedirects} redirects)", outcome.Problem);
    }

    [Fact]
    public async Task Fetch_StopsAtSizeLimit_WhenBodyIsEndless()
    {
        using var fetcher = Fetcher(null, "localhost");
        var watch = Stopwatch.StartNew();

        var outcome = await FetchAsync(fetcher, server.Url("/endless"));

        Assert.Equal("is larger than 30 MiB", outcome.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Fetch_IsRefusedBeforeReading_WhenContentLengthIsTooBig()
    {
        using var fetcher = Fetcher(null, "localhost");
        var watch = Stopwatch.StartNew();

        var outcome = await FetchAsync(fetcher, server.Url("/huge"));

        Assert.Equal("is larger than 30 MiB", outcome.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Fetch_TimesOut_WhenServerIsSlow()
    {
        using var fetcher = Fetcher(TimeSpan.FromMilliseconds(500), "localhost");
        var watch = Stopwatch.StartNew();

        var outcome = await FetchAsync(fetcher, server.Url("/slow"));

        Assert.Equal("could not be fetched (no complete answer within 0.5 s)", outcome.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Fetch_ReportsStatus_WhenServerAnswers404()
    {
        using var fetcher = Fetcher(null, "localhost");

        var outcome = await FetchAsync(fetcher, server.Url("/missing.png"));

        Assert.Equal("could not be fetched (HTTP 404)", outcome.Problem);
    }

    [Theory]
    [InlineData("ftp://example.com/a.png")]
    [InlineData("file:///etc/passwd")]
    public async Task Fetch_IsRefused_WhenSchemeIsNotHttp(string url)
    {
        using var fetcher = Fetcher();

        var outcome = await FetchAsync(fetcher, url);

        Assert.Equal("could not be fetched (only http and https URLs are fetched)", outcome.Problem);
    }

    [Fact]
    public async Task Prepare_GivesCheckedLocalFiles_WhenInputsAreGood()
    {
        var (preparer, store) = Preparer();
        var data = "data:image/png;base64," + Convert.ToBase64String(server.Png);
        var spec = Spec("adaptive", server.Url("/tall.png"), data);

        var prepared = await preparer.PrepareAsync("task_good", "acct_1", Model, spec, Path.Combine(_dir, "claim"), Ct);

        Assert.True(prepared.Ok, prepared.Problem);
        Assert.Equal(2, prepared.Media.Count);
        Assert.Equal(server.TallPng, await File.ReadAllBytesAsync(prepared.Media[0].Path, Ct));
        Assert.Equal(server.Png, await File.ReadAllBytesAsync(prepared.Media[1].Path, Ct));
        Assert.Equal(server.Url("/tall.png"), prepared.Media[0].UpstreamUrl);
        Assert.Equal(data, prepared.Media[1].UpstreamUrl);
        Assert.Equal((1080, 1920), (prepared.Media[0].Info.Width, prepared.Media[0].Info.Height));
        Assert.Equal(("9:16", 720, 1280), (prepared.Spec.Ratio, prepared.Spec.Width, prepared.Spec.Height));
        Assert.NotNull(await store.FindAsync("task_good/input-0.png", Ct));
        Assert.NotNull(await store.FindAsync("task_good/input-1.png", Ct));
    }

    [Fact]
    public async Task Prepare_SignsStoredCopy_WhenPublicBaseUrlIsSetAndInputIsData()
    {
        var (preparer, _) = Preparer("https://videos.example.com");
        var spec = Spec("16:9", "data:image/png;base64," + Convert.ToBase64String(server.Png));

        var prepared = await preparer.PrepareAsync("task_signed", "acct_1", Model, spec, Path.Combine(_dir, "claim"), Ct);

        Assert.True(prepared.Ok, prepared.Problem);
        Assert.StartsWith("https://videos.example.com/files/task_signed/input-0.png?expires=", prepared.Media[0].UpstreamUrl);
    }

    [Fact]
    public async Task Prepare_ReusesStoredBytes_WhenTaskRunsAgain()
    {
        var (preparer, _) = Preparer();
        var url = server.Url("/img.png?retry=" + Guid.NewGuid().ToString("N"));
        var spec = Spec("16:9", url);

        var first = await preparer.PrepareAsync("task_retry", "acct_1", Model, spec, Path.Combine(_dir, "claim-1"), Ct);
        var second = await preparer.PrepareAsync("task_retry", "acct_1", Model, spec, Path.Combine(_dir, "claim-2"), Ct);

        Assert.True(first.Ok && second.Ok, first.Problem ?? second.Problem);
        Assert.Equal(1, server.Requests[new Uri(url).PathAndQuery]);
        Assert.Equal(await File.ReadAllBytesAsync(first.Media[0].Path, Ct), await File.ReadAllBytesAsync(second.Media[0].Path, Ct));
    }

    [Theory]
    [InlineData("/missing.png", "input.image_urls[1] could not be fetched (HTTP 404); the cost was refunded")]
    [InlineData("/text.png", "input.image_urls[1] is not a JPEG, PNG or WebP image; the cost was refunded")]
    [InlineData("data:image/png;base64,@@not-base64@@", "input.image_urls[1] is a data: URI whose base64 does not decode; the cost was refunded")]
    public async Task Prepare_FailsAndLeavesNothing_WhenAnInputIsBad(string bad, string message)
    {
        var (preparer, _) = Preparer();
        var claim = Path.Combine(_dir, "claim");
        var spec = Spec("16:9", server.Url("/img.png"), bad.StartsWith('/') ? server.Url(bad) : bad);

        var prepared = await preparer.PrepareAsync("task_bad", "acct_1", Model, spec, claim, Ct);

        Assert.Equal((Core.Tasks.FailCodes.InputInvalid, message), (prepared.FailCode, prepared.Problem));
        Assert.Empty(prepared.Media);
        Assert.False(Directory.Exists(claim));
    }

    [Theory]
    [InlineData("file_absent", "acct_1", 1, "names an uploaded file that does not exist (file_absent)")]
    [InlineData("file_theirs", "acct_2", 1, "names an uploaded file that does not exist (file_theirs)")]
    [InlineData("file_old", "acct_1", -1, "names an uploaded file that has expired (file_old)")]
    public async Task Prepare_Fails_WhenUploadIsMissingOthersOrExpired(string fileId, string owner, int expiresInHours, string problem)
    {
        var (preparer, store) = Preparer();
        if (fileId != "file_absent")
        {
            await AddUploadAsync(store, fileId, owner, expiresInHours);
        }

        var spec = Spec("16:9") with { Media = [Upload(fileId)] };

        var prepared = await preparer.PrepareAsync("task_upload", "acct_1", Model, spec, Path.Combine(_dir, "claim"), Ct);

        Assert.Equal($"input.image_urls[0] {problem}; the cost was refunded", prepared.Problem);
    }

    [Fact]
    public async Task Prepare_ReadsUploadFromStore_WhenUploadIsTheAccounts()
    {
        var (preparer, store) = Preparer("https://videos.example.com");
        await AddUploadAsync(store, "file_mine", "acct_1", 1);
        var spec = Spec("16:9") with { Media = [Upload("file_mine")] };

        var prepared = await preparer.PrepareAsync("task_upload", "acct_1", Model, spec, Path.Combine(_dir, "claim"), Ct);

        Assert.True(prepared.Ok, prepared.Problem);
        Assert.Equal(server.Png, await File.ReadAllBytesAsync(prepared.Media[0].Path, Ct));
        Assert.StartsWith("https://videos.example.com/files/task_upload/input-0.png?expires=", prepared.Media[0].UpstreamUrl);
    }

    private static MediaInput Upload(string fileId) =>
        new(MediaRoles.FirstFrame, "image_urls", 0, $"https://reelgate.example.com/files/{fileId}/source.png?sig=x") { FileId = fileId };

    private async Task AddUploadAsync(LocalResultStore store, string fileId, string owner, int expiresInHours)
    {
        var source = Path.Combine(_dir, fileId + ".png");
        await File.WriteAllBytesAsync(source, server.Png, Ct);
        var key = await store.PutAsync(fileId, "source.png", source, Ct);
        var now = DateTimeOffset.UtcNow;
        var info = new MediaInfo(MediaKind.Image, "image/png", "png", server.Png.Length, 640, 360, 0);
        await _uploads.AddAsync(new UploadedFile(fileId, owner, key, "a.png", info, now.AddHours(-2), now.AddHours(expiresInHours)), long.MaxValue, now, Ct);
    }

    [Fact]
    public async Task Prepare_LeavesNothing_WhenCancelled()
    {
        var (preparer, _) = Preparer();
        var claim = Path.Combine(_dir, "claim");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            preparer.PrepareAsync("task_cancel", "acct_1", Model, Spec("16:9", server.Url("/img.png"), server.Url("/slow")), claim, cts.Token));

        Assert.False(Directory.Exists(claim));
    }

    [Fact]
    public void Options_AreRefusedNamingTheKey_WhenInputsSettingsAreBad()
    {
        var options = new ReelgateOptions { DataDirectory = _dir, Inputs = new InputOptions { AllowedHosts = ["10.0.0.0/x"], FetchTimeout = TimeSpan.Zero } };

        var result = new ReelgateOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Reelgate:Inputs:AllowedHosts has '10.0.0.0/x'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Reelgate:Inputs:FetchTimeout is 00:00:00", StringComparison.Ordinal));
    }
}
