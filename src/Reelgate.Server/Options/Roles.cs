namespace Reelgate.Server.Options;

/// <summary>The node roles of <see cref="ReelgateOptions.Role"/>.</summary>
public static class Roles
{
    public const string All = "all";
    public const string Api = "api";
    public const string Worker = "worker";

    public static readonly string[] Known = [All, Api, Worker];
}
