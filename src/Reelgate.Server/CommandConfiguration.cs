using Reelgate.Data;
using Reelgate.Server.Options;

namespace Reelgate.Server;

/// <summary>
/// The configuration the server itself would see, for the <c>audit</c>, <c>backup</c> and
/// <c>restore</c> commands: built by the same web application builder from the same sources
/// (appsettings.json and appsettings.{Environment}.json in the working directory, environment
/// variables such as <c>Reelgate__DataDirectory</c>, <c>--Reelgate:DataDirectory DIR</c>
/// arguments), so a command finds exactly the data directory a server started there would use.
/// Nothing is started.
/// </summary>
public static class CommandConfiguration
{
    public static IConfiguration Load(string[] args) =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(ReelgateHost).Assembly.GetName().Name }).Configuration;

    /// <summary>
    /// The database commands of the backend a server with this configuration would use (the
    /// host's one choice, <see cref="ReelgateHost.AddStorage"/>). Dispose it to close the database.
    /// </summary>
    public static ServiceProvider Storage(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddOptions<ReelgateOptions>().BindConfiguration(ReelgateOptions.Section);
        ReelgateHost.AddStorage(services, configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>The backend's audit, backup and restore.</summary>
    public static IDatabaseMaintenance Maintenance(this ServiceProvider storage) => storage.GetRequiredService<IDatabaseMaintenance>();
}
