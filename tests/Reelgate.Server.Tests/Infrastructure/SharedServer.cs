namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// One server for a whole test class (isolation by data: each test makes its own account).
/// Workers=0 so tasks stay waiting; tests that need them to run start their own server.
/// </summary>
public sealed class SharedServer : IAsyncLifetime
{
    private ReelgateTestServer? _server;

    public ReelgateTestServer Server => _server!;

    public async ValueTask InitializeAsync() =>
        _server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Workers"] = "0",
            ["Reelgate:Tiers:roomy:ActiveTasks"] = "1000",
            ["Reelgate:Tiers:single:ActiveTasks"] = "1",
        });

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
