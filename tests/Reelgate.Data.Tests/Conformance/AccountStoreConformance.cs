using Reelgate.Core.Accounts;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>
/// The IAccountStore contract, run unchanged against every backend (river's habit): each backend
/// subclass only says how to make a store and how to tamper with its tables behind its back.
/// </summary>
public abstract class AccountStoreConformance : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected IAccountStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected abstract Task<IAccountStore> CreateStoreAsync();

    /// <summary>Runs raw SQL against the store's database; returns the error message, or null if it was accepted.</summary>
    protected abstract Task<string?> TryRawAsync(string sql);

    /// <summary>
    /// Appends ledger rows and sets the balance directly, past every rule of the database (its
    /// triggers and the ledger rule), as a damaged or hand-edited database might hold them.
    /// </summary>
    protected abstract Task ForceLedgerAsync(string accountId, long credits, params long[] amounts);

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task CreateAccount_WithCredits_IsOneGrantRow_AndTheAuditHolds()
    {
        var id = NewId("acc_");
        await Store.CreateAccountAsync(id, "ada", 500, 1000, Ct);

        var account = await Store.GetAccountAsync(id, Ct);
        Assert.Equal((id, "ada", 500L, false, 1000L), (account!.AccountId, account.Name, account.Credits, account.Disabled, account.CreateTime));
        var ledger = await Store.LedgerAsync(id, null, 10, Ct);
        Assert.Equal(("grant", 500L), (Assert.Single(ledger).Kind, ledger[0].Amount));
        Assert.All(await Store.AuditAsync(Ct), e => Assert.True(e.Ok));
        Assert.Null(await Store.GetAccountAsync("acc_missing", Ct));
        Assert.Null(await Store.GetBalanceAsync("acc_missing", Ct));
    }

    [Fact]
    public async Task Adjust_NeverGoesBelowZero_AndRacingDeductionsApplyExactlyWhatFits()
    {
        var id = NewId("acc_");
        await Store.CreateAccountAsync(id, "race", 100, 1, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Store.AdjustCreditsAsync(id, -7, "race", 2, Ct)));

        Assert.Equal(14, results.Count(r => r.Status == CreditAdjustStatus.Applied)); // 14 x 7 = 98 <= 100
        Assert.Equal(26, results.Count(r => r.Status == CreditAdjustStatus.InsufficientCredits));
        Assert.Equal(2, await Store.GetBalanceAsync(id, Ct));
        Assert.Equal(CreditAdjustStatus.AccountNotFound, (await Store.AdjustCreditsAsync("acc_missing", 5, "x", 3, Ct)).Status);
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.Applied, 12), await Store.AdjustCreditsAsync(id, 10, "top-up", 3, Ct));
        Assert.All(await Store.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance} != ledger {e.LedgerSum}"));
    }

    [Fact]
    public async Task Keys_AreFoundByLookup_Revoked_AndRefusedForDisabledAccounts()
    {
        var id = NewId("acc_");
        await Store.CreateAccountAsync(id, "keys", 0, 1, Ct);
        var hash = new byte[] { 1, 2, 3, 4 };

        Assert.True(await Store.CreateKeyAsync("key_a" + id, id, "ci", "basic", "sk-abcdef", hash, Reelgate.Core.Accounts.KeyLimits.None, 2, Ct));
        Assert.False(await Store.CreateKeyAsync("key_b" + id, "acc_missing", "ci", "basic", "sk-zzzzzz", hash, Reelgate.Core.Accounts.KeyLimits.None, 2, Ct));
        var found = Assert.Single(await Store.FindKeysByLookupAsync("sk-abcdef", Ct));
        Assert.Equal(("key_a" + id, id, "basic", false, false), (found.KeyId, found.AccountId, found.Tier, found.Revoked, found.AccountDisabled));
        Assert.Equal(hash, found.Hash);

        Assert.Equal(id, await Store.RevokeKeyAsync("key_a" + id, 3, Ct));
        Assert.Null(await Store.RevokeKeyAsync("key_missing", 3, Ct));
        Assert.True(Assert.Single(await Store.FindKeysByLookupAsync("sk-abcdef", Ct)).Revoked);
        Assert.True(await Store.DisableAccountAsync(id, 4, Ct));
        Assert.False(await Store.DisableAccountAsync("acc_missing", 4, Ct));
        Assert.True(Assert.Single(await Store.FindKeysByLookupAsync("sk-abcdef", Ct)).AccountDisabled);
        var account = await Store.GetAccountAsync(id, Ct);
        Assert.True(account!.Disabled);
        Assert.Equal(("ci", true), (Assert.Single(account.Keys).Name, account.Keys[0].Revoked));
    }

    [Fact]
    public async Task Ledger_PagesNewestFirst_AndSpentSinceCountsChargesMinusRefunds()
    {
        var id = NewId("acc_");
        await Store.CreateAccountAsync(id, "ledger", 1000, 1, Ct);
        for (var i = 0; i < 5; i++)
        {
            await Store.AdjustCreditsAsync(id, -(i + 1), $"step {i}", 10 + i, Ct);
        }

        var first = await Store.LedgerAsync(id, null, 3, Ct);
        Assert.Equal(["step 4", "step 3", "step 2"], first.Select(e => e.Reason));
        var second = await Store.LedgerAsync(id, first[^1].Id, 3, Ct);
        Assert.Equal(["step 1", "step 0", "initial credits"], second.Select(e => e.Reason));
        Assert.Equal(0, await Store.SpentSinceAsync(id, 0, Ct)); // adjustments are not spend
    }

    [Fact]
    public async Task ListAccounts_FindsByIdOrName_TreatingWildcardsAsText()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var a = NewId("acc_");
        var b = NewId("acc_");
        await Store.CreateAccountAsync(a, $"team_{tag} 100%", 0, 1, Ct);
        await Store.CreateAccountAsync(b, $"team{tag}", 0, 2, Ct);

        Assert.Equal([a], (await Store.ListAccountsAsync($"_{tag} 100%", 10, Ct)).Select(x => x.AccountId));
        Assert.Equal([b, a], (await Store.ListAccountsAsync(tag, 10, Ct)).Select(x => x.AccountId));
        Assert.Equal([b], (await Store.ListAccountsAsync(b, 10, Ct)).Select(x => x.AccountId));
        Assert.True((await Store.ListAccountsAsync(null, 1, Ct)).Count == 1);
    }

    [Fact]
    public async Task TheDatabaseItself_RefusesLedgerEditsAndOverdrafts()
    {
        var id = NewId("acc_");
        await Store.CreateAccountAsync(id, "tamper", 10, 1, Ct);

        Assert.NotNull(await TryRawAsync($"UPDATE ledger SET amount = 1000 WHERE account_id = '{id}'"));
        Assert.NotNull(await TryRawAsync($"DELETE FROM ledger WHERE account_id = '{id}'"));
        Assert.NotNull(await TryRawAsync($"UPDATE accounts SET credits = -5 WHERE id = '{id}'"));
        Assert.Equal(10, await Store.GetBalanceAsync(id, Ct));
        Assert.All(await Store.AuditAsync(Ct), e => Assert.True(e.Ok));
    }

    [Fact]
    public async Task Balances_StayWithinTheBound_AndAChangePastItChangesNothing()
    {
        var id = NewId("acc_");
        await Store.CreateAccountAsync(id, "rich", Credits.MaxBalance, 1, Ct);
        Assert.Equal(Credits.MaxBalance, await Store.GetBalanceAsync(id, Ct));

        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.BalanceLimit, Credits.MaxBalance), await Store.AdjustCreditsAsync(id, 1, "over", 2, Ct));
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.BalanceLimit, Credits.MaxBalance), await Store.AdjustCreditsAsync(id, long.MaxValue, "overflow", 2, Ct));
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.InsufficientCredits, Credits.MaxBalance), await Store.AdjustCreditsAsync(id, -Credits.MaxBalance - 1, "under", 2, Ct));
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.InsufficientCredits, Credits.MaxBalance), await Store.AdjustCreditsAsync(id, long.MinValue, "underflow", 2, Ct));
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.Applied, 0), await Store.AdjustCreditsAsync(id, -Credits.MaxBalance, "all", 3, Ct));
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.Applied, Credits.MaxBalance), await Store.AdjustCreditsAsync(id, Credits.MaxBalance, "all back", 4, Ct));
        Assert.Equal(3, (await Store.LedgerAsync(id, null, 10, Ct)).Count); // the refused changes left no row

        // The database refuses a balance past the bound, and an overflowing one, from any writer.
        Assert.NotNull(await TryRawAsync($"UPDATE accounts SET credits = credits + 1 WHERE id = '{id}'"));
        Assert.NotNull(await TryRawAsync($"UPDATE accounts SET credits = credits + 9223372036854775807 WHERE id = '{id}'"));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.CreateAccountAsync(NewId("acc_"), "too rich", Credits.MaxBalance + 1, 5, Ct));
        Assert.Equal(Credits.MaxBalance, await Store.GetBalanceAsync(id, Ct));
        Assert.All(await Store.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance} != ledger {e.LedgerSum}"));
    }

    [Fact]
    public async Task Audit_Answers_WhenALedgerSumDoesNotFitALong()
    {
        // Broken: its ledger sums to far more than a long holds; the audit reports it exactly.
        var broken = NewId("acc_");
        await Store.CreateAccountAsync(broken, "overflowed", 10, 1, Ct);
        await ForceLedgerAsync(broken, 10, long.MaxValue, long.MaxValue);

        // Sound: its running sum passes long.MaxValue on the way, but the total is its balance.
        var sound = NewId("acc_");
        await Store.CreateAccountAsync(sound, "roundabout", 5, 1, Ct);
        await ForceLedgerAsync(sound, 5, long.MaxValue, 1, -long.MaxValue, -1);

        var audit = await Store.AuditAsync(Ct);
        var b = Assert.Single(audit, e => e.AccountId == broken);
        Assert.Equal((10m, 10m + 2m * long.MaxValue, false), (b.Balance, b.LedgerSum, b.Ok));
        var s = Assert.Single(audit, e => e.AccountId == sound);
        Assert.Equal((5m, 5m, true), (s.Balance, s.LedgerSum, s.Ok));
    }
}
