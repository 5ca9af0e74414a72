using Microsoft.Data.Sqlite;
using Reelgate.Core.Callbacks;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Testing;

namespace Reelgate.Server.Tests;

/// <summary>
/// What a copied data directory gives away: the SQLite files are mode 0600 (new and existing),
/// and the accounts' webhook signing secrets are stored encrypted with the data-protection key
/// ring, while callbacks are still signed with the secret the admin API handed out.
/// </summary>
public sealed class DataAtRestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Mode(string file) => Convert.ToString((int)File.GetUnixFileMode(file), 8);

    [Fact]
    public async Task DatabaseFiles_AreOwnerOnly_WhenCreated_AndNarrowed_WhenFoundWider()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        var db = Path.Combine(dir, "reelgate.db");
        await using (var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" }, dataDirectory: dir))
        {
            server.KeepDataDirectory = true;
            await server.CreateAccountAsync(10);
            Assert.Equal("600", Mode(db));
            Assert.Equal("600", Mode(db + "-wal"));
        }

        File.SetUnixFileMode(db, (UnixFileMode)Convert.ToInt32("644", 8));
        await using (var again = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" }, dataDirectory: dir))
        {
            Assert.Equal("600", Mode(db));
        }
    }

    [Fact]
    public async Task WebhookSecrets_AreEncryptedInTheDatabase_AndCallbacksAreStillSignedWithThem()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Callbacks:AllowedHosts:0"] = "127.0.0.1" },
            s => ScriptedEngine.AddTo(s));
        var (accountId, _, key) = await server.CreateAccountAsync(1000);
        var (_, rotated, _) = await server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/webhook-secret", "");
        var secret = (string)rotated["data"]!["webhookSecret"]!;
        using var client = server.NewClient(key);

        await client.PostRawAsync("/api/v1/jobs/createTask",
            $$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"at rest","resolution":"480p","duration":4},"callBackUrl":"{{receiver.Address}}hook"}""");
        await receiver.WaitForAsync(1);
        var delivered = receiver.Received.First();
        Assert.Equal(WebhookSigner.Sign(secret, delivered.Id, long.Parse(delivered.Timestamp, System.Globalization.CultureInfo.InvariantCulture), delivered.Body), delivered.Signature);

        // An account that never had one gets its secret made on first use: also stored encrypted.
        var (other, _, otherKey) = await server.CreateAccountAsync(1000);
        using var otherClient = server.NewClient(otherKey);
        await otherClient.PostRawAsync("/api/v1/jobs/createTask",
            $$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"made on use","resolution":"480p","duration":4},"callBackUrl":"{{receiver.Address}}hook"}""");
        await receiver.WaitForAsync(2);

        await using var conn = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "reelgate.db")};Mode=ReadOnly;Pooling=False");
        await conn.OpenAsync(Ct);
        foreach (var id in new[] { accountId, other })
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT webhook_secret FROM accounts WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            var stored = (string)(await cmd.ExecuteScalarAsync(Ct))!;
            Assert.StartsWith("dp1:", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("whsec_", stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret["whsec_".Length..], stored, StringComparison.Ordinal);
        }
    }
}
