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
}
