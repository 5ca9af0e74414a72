using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Accounts;
using Reelgate.Core.Media;
using Reelgate.Core.Uploads;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>
/// The IUploadStore contract, run unchanged against every backend: a round trip of every field,
/// the quota counting only unexpired files of the same account, racing uploads never passing the
/// quota together, and retention's listing and delete.
/// </summary>
public abstract class UploadStoreConformance : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private Backend? _backend;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IUploadStore Store { get; set; } = null!;

    private IAccountStore Accounts { get; set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await CreateBackendAsync();
        Accounts = (await _backend.OpenAsync(Ct)).Accounts;
        Store = _backend.Services.GetRequiredService<IUploadStore>();
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    protected abstract Task<Backend> CreateBackendAsync();

    [Fact]
    public async Task AddAsync_StoresEveryField_AndFindAsyncReadsThemBack()
    {
        var account = await NewAccountAsync();
        var file = Upload(account, 1234, Now.AddDays(3)) with
        {
            Info = new MediaInfo(MediaKind.Video, "video/quicktime", "mov", 1234, 1280, 720, 3.5),
        };

        var admission = await Store.AddAsync(file, 10_000, Now, Ct);

        Assert.Equal(UploadAdmission.Accepted(1234), admission);
        Assert.Equal(file, await Store.FindAsync(file.FileId, Ct));
        Assert.Null(await Store.FindAsync("file_missing", Ct));
    }

    [Fact]
    public async Task AddAsync_RefusesOverQuota_CountingOnlyTheAccountsUnexpiredFiles()
    {
        var account = await NewAccountAsync();
        var other = await NewAccountAsync();
        Assert.True((await Store.AddAsync(Upload(account, 600, Now.AddDays(1)), 1000, Now, Ct)).Added);
        Assert.True((await Store.AddAsync(Upload(account, 900, Now.AddMinutes(-1)), 10_000, Now.AddDays(-1), Ct)).Added); // expired by now
        Assert.True((await Store.AddAsync(Upload(other, 900, Now.AddDays(1)), 1000, Now, Ct)).Added);

        var refused = Upload(account, 401, Now.AddDays(1));
        Assert.Equal(UploadAdmission.OverQuota(600), await Store.AddAsync(refused, 1000, Now, Ct));
        Assert.Null(await Store.FindAsync(refused.FileId, Ct));
        Assert.Equal(UploadAdmission.Accepted(1000), await Store.AddAsync(Upload(account, 400, Now.AddDays(1)), 1000, Now, Ct));
    }

    [Fact]
    public async Task AddAsync_NeverPassesTheQuota_WhenManyUploadsRace()
    {
        var account = await NewAccountAsync();

        var admissions = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Store.AddAsync(Upload(account, 100, Now.AddDays(1)), 1050, Now, Ct)));

        Assert.Equal(10, admissions.Count(a => a.Added));
        Assert.Equal(30, admissions.Count(a => !a.Added));
        Assert.Equal(UploadAdmission.OverQuota(1000), await Store.AddAsync(Upload(account, 100, Now.AddDays(1)), 1050, Now, Ct));
    }

    [Fact]
    public async Task ExpiredAsync_ListsPassedFilesOldestFirst_AndDeleteAsyncRemovesThem()
    {
        var account = await NewAccountAsync();
        var later = Upload(account, 10, Now.AddHours(-1));
        var earlier = Upload(account, 10, Now.AddHours(-2));
        var live = Upload(account, 10, Now.AddHours(1));
        foreach (var f in new[] { later, earlier, live })
        {
            Assert.True((await Store.AddAsync(f, 1000, Now.AddDays(-1), Ct)).Added);
        }

        var expired = await Store.ExpiredAsync(Now, 10, Ct);
        Assert.Equal([earlier.FileId, later.FileId], expired.Where(f => f.AccountId == account).Select(f => f.FileId));
        Assert.Single(await Store.ExpiredAsync(Now, 1, Ct));

        await Store.DeleteAsync(earlier.FileId, Ct);
        await Store.DeleteAsync(earlier.FileId, Ct); // absent: not an error
        Assert.Null(await Store.FindAsync(earlier.FileId, Ct));
        Assert.Equal([later.FileId], (await Store.ExpiredAsync(Now, 10, Ct)).Where(f => f.AccountId == account).Select(f => f.FileId));
        Assert.NotNull(await Store.FindAsync(live.FileId, Ct));
    }

    private async Task<string> NewAccountAsync()
    {
        var id = "acc_" + Guid.NewGuid().ToString("N");
        await Accounts.CreateAccountAsync(id, "uploader", 0, 1, Ct);
        return id;
    }

    private static UploadedFile Upload(string account, long size, DateTimeOffset expiresAt)
    {
        var id = "file_" + Guid.NewGuid().ToString("N")[..24];
        return new UploadedFile(id, account, id + "/source.png", "cat.png", new MediaInfo(MediaKind.Image, "image/png", "png", size, 640, 480, 0), expiresAt.AddDays(-3), expiresAt);
    }
}
