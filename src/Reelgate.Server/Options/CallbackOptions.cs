namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Callbacks</c>: how callbacks are delivered.</summary>
public sealed class CallbackOptions
{
    /// <summary>
    /// The default schedule, about 24 hours in all: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h,
    /// 4 h, 8 h, 8 h.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetrySchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
        TimeSpan.FromHours(8), TimeSpan.FromHours(8),
    ];

    /// <summary>
    /// Waits between tries after a failure (one more try than entries); empty = the default
    /// schedule. Configuration binding appends to lists, so the default is not pre-filled here.
    /// </summary>
    public List<TimeSpan> RetrySchedule { get; set; } = [];

    public IReadOnlyList<TimeSpan> EffectiveRetrySchedule => RetrySchedule.Count > 0 ? RetrySchedule : DefaultRetrySchedule;

    /// <summary>One try's time limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Host names or CIDR ranges that may be called although they are loopback, private,
    /// link-local or metadata addresses (tests, private deployments). Empty: none.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}
