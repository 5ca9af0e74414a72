namespace Reelgate.Server.Options;

/// <summary>
/// <c>Reelgate:Engines:{name}</c>: an upstream engine. <c>Type</c> <c>modelark</c> calls
/// BytePlus or Volcengine ModelArk's video generation task API; <c>relay</c> calls another
/// platform of this jobs-API family (another Reelgate, or a provider with the same API). The
/// name is what <c>Reelgate:Routes</c> and the catalog's <c>engine</c> refer to. See docs/engines.md.
/// </summary>
public sealed class EngineOptions
{
    /// <summary><c>modelark</c> or <c>relay</c>.</summary>
    public string Type { get; set; } = "";

    /// <summary>modelark: e.g. https://ark.ap-southeast.bytepluses.com (BytePlus) or https://ark.cn-beijing.volces.com (Volcengine); relay: the platform's origin.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The upstream's bearer key. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>modelark: the model or endpoint id (dreamina-seedance-2-0-260128, doubao-seedance-2-0-260128, ep-...); relay: the peer's model id.</summary>
    public string? Model { get; set; }

    /// <summary>First status poll after this long; later polls back off (x1.6, jitter +-20%) up to <see cref="PollMax"/>.</summary>
    public TimeSpan PollInitial { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan PollMax { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Tries of a create the upstream answered with 429 or 5xx (backoff honours Retry-After).</summary>
    public int CreateTries { get; set; } = 6;

    /// <summary>One HTTP request's timeout (create, poll, download start).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Ask the upstream to call back (ModelArk <c>callback_url</c>, a peer's <c>callBackUrl</c>) at
    /// <c>{Reelgate:PublicBaseUrl}/hooks/upstream/{name}?sig=...</c>, which wakes the poll at once.
    /// Needs <c>Reelgate:PublicBaseUrl</c> reachable from the upstream. Polling stays the safety net.
    /// </summary>
    public bool Callbacks { get; set; }

    /// <summary>modelark: send <c>watermark</c> (false by default).</summary>
    public bool Watermark { get; set; }
}

/// <summary>One entry of a model's route (<c>Reelgate:Routes:{model}:{n}</c>).</summary>
public sealed class RouteEntry
{
    public string Engine { get; set; } = "";

    /// <summary>Share among entries of the same priority (0 = only when the others failed).</summary>
    public int Weight { get; set; } = 1;

    /// <summary>Lower goes first; default: the entry's position, so a plain list is an ordered failover chain.</summary>
    public int? Priority { get; set; }
}

/// <summary><c>Reelgate:Breaker</c>: per engine and node, open after consecutive failures.</summary>
public sealed class BreakerOptions
{
    public int Failures { get; set; } = 5;

    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(30);
}
