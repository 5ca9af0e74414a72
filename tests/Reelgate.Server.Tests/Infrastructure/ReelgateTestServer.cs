using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Server;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// A real Reelgate server on Kestrel, loopback port 0, with a fresh data directory (and so a
/// fresh SQLite file) per instance. Tests talk to it over HTTP only, except where a test
/// needs to reach a service (e.g. the queue) to play a crashed worker.
/// </summary>
public sealed class ReelgateTestServer : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly WebApplication _app;
    private readonly Lazy<Task<OpenApiContract>> _contract;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _violations = new();

    private ReelgateTestServer(WebApplication app, string dataDirectory, Uri baseAddress)
    {
        _app = app;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
        _contract = new(() => OpenApiContract.FetchAsync(baseAddress));
        Admin = NewClient(AdminKey);
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Leave the data directory on dispose, so a second server can start on it.</summary>
    public bool KeepDataDirectory { get; set; }

    public static async Task<ReelgateTestServer> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string? dataDirectory = null,
        int port = 0)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        var builder = ReelgateHost.CreateBuilder(["--urls", $"http://127.0.0.1:{port}"]);
        var config = new Dictionary<string, string?>
        {
            ["Reelgate:DataDirectory"] = dataDirectory,
            ["Reelgate:AdminKey"] = AdminKey,
            ["Reelgate:Workers"] = "1",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            config[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(config);
        services?.Invoke(builder.Services);
        var app = ReelgateHost.Build(builder);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ReelgateTestServer(app, dataDirectory, new Uri(address));
    }

    /// <summary>A loopback port free now (for a server whose public URL must be known before it starts).</summary>
    public static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Every contract mismatch this server's clients met (also those a test caught and ignored).</summary>
    public IReadOnlyCollection<string> ContractViolations => _violations;

    /// <summary>The served OpenAPI document as a contract, fetched once per server.</summary>
    public Task<OpenApiContract> ContractAsync() => _contract.Value;

    /// <summary>
    /// A client for this server. Every exchange is checked against the served OpenAPI document
    /// (<see cref="ContractCheckingHandler"/>): a mismatch fails the call at once with a
    /// <see cref="ContractViolationException"/>; <see cref="ContractViolations"/> keeps them all.
    /// </summary>
    public HttpClient NewClient(string? bearer = null)
    {
        var handler = new ContractCheckingHandler(ContractAsync, _violations.Enqueue) { InnerHandler = new HttpClientHandler() };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Creates an account with credits and a key of the tier; returns the account id, key id and key.</summary>
    public async Task<(string AccountId, string KeyId, string ApiKey)> CreateAccountAsync(long credits, string tier = "unlimited")
    {
        var ct = TestContext.Current.CancellationToken;
        var acc = await (await Admin.PostAsJsonAsync("/api/admin/accounts", new { name = "acct", credits }, ct)).Content.ReadFromJsonAsync<JsonObject>(ct);
        var accountId = (string)acc!["data"]!["accountId"]!;
        var key = await (await Admin.PostAsJsonAsync($"/api/admin/accounts/{accountId}/keys", new { name = "k", tier }, ct)).Content.ReadFromJsonAsync<JsonObject>(ct);
        return (accountId, (string)key!["data"]!["keyId"]!, (string)key["data"]!["apiKey"]!);
    }

    /// <summary>Asserts the ledger rule for every account through the admin audit call.</summary>
    public async Task AssertAuditOkAsync()
    {
        var (status, audit, _) = await Admin.GetJsonAsync("/api/admin/audit");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.True((bool)audit["data"]!["ok"]!, audit.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (!KeepDataDirectory)
        {
            DeleteDataDirectory();
        }
    }

    private void DeleteDataDirectory()
    {
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open by a finishing process.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
