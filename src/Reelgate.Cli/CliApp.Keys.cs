using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Client;

namespace Reelgate.Cli;

/// <summary>Key limits (issue 23): set at <c>admin keys create</c> or by <c>admin keys limits</c>, and <c>reelgate key</c> for the key itself.</summary>
public sealed partial class CliApp
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>The options that describe a key's limits; one set per command.</summary>
    private sealed class LimitOptions
    {
        public Option<long?> CreditLimit { get; } = new("--credit-limit") { Description = "At most this many credits per --credit-period" };

        public Option<string?> CreditPeriod { get; } = new("--credit-period") { Description = "day or month (UTC), or total (the key's life); required with --credit-limit" };

        public Option<string[]> AllowIp { get; } = new("--allow-ip") { Description = "An address or CIDR range the key may be used from (repeat for more)", AllowMultipleArgumentsPerToken = false };

        public Option<string?> Expires { get; } = new("--expires") { Description = "When the key stops working: an ISO 8601 time (2027-01-01T00:00:00Z) or Unix milliseconds" };

        public IEnumerable<Option> All => [CreditLimit, CreditPeriod, AllowIp, Expires];

        public KeyLimits Read(ParseResult p)
        {
            var ips = p.GetValue(AllowIp);
            return new KeyLimits(p.GetValue(CreditLimit), p.GetValue(CreditPeriod), ips is { Length: > 0 } ? ips : null, ParseExpiry(p.GetValue(Expires)));
        }

        private static long? ParseExpiry(string? text)
        {
            if (text is null)
            {
                return null;
            }

            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                return ms;
            }

            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at.ToUnixTimeMilliseconds()
                : throw new CliException(ExitCodes.Usage, $"--expires: '{text}' is neither an ISO 8601 time (2027-01-01T00:00:00Z) nor Unix milliseconds");
        }
    }

    /// <summary><c>admin keys limits KEY_ID [--credit-limit N --credit-period P] [--allow-ip A]... [--expires T]</c>: replaces all four; one left out is cleared.</summary>
    private Command KeyLimitsCommand()
    {
        var keyId = new Argument<string>("keyId");
        var options = new LimitOptions();
        var command = new Command("limits", "Replace a key's limits (a limit left out is cleared)") { keyId };
        foreach (var o in options.All)
        {
            command.Options.Add(o);
        }

        command.SetAction((p, ct) => WithAdmin(p, async (a, ct2) =>
        {
            var key = await a.SetKeyLimitsAsync(p.GetValue(keyId)!, options.Read(p), ct2);
            var json = JsonSerializer.SerializeToNode(key, WebJson)!;
            await Emit(p, json, () => stdout.WriteLineAsync(DescribeLimits(key.CreditLimit, key.CreditPeriod, key.AllowedIps, key.ExpiresAt)));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary><c>reelgate key</c>: the API key's own limits, spend in its period and room left.</summary>
    private Command KeySelfCommand() => Simple("key", "The API key's own limits, what it spent in its credit period and the room left", async (p, client, ct) =>
    {
        var self = await client.GetKeySelfAsync(ct);
        await Emit(p, JsonSerializer.SerializeToNode(self, WebJson)!, async () =>
        {
            await stdout.WriteLineAsync($"{self.Prefix}... ({self.Name}, tier {self.Tier}) seen from {self.ClientIp}");
            await stdout.WriteLineAsync(DescribeLimits(self.CreditLimit, self.CreditPeriod, self.AllowedIps, self.ExpiresAt));
            await stdout.WriteLineAsync(self.Room is { } room
                ? $"spent {self.Spent} this {self.CreditPeriod}, {room} credits left"
                : $"spent {self.Spent} credits (no credit limit)");
        });
        return ExitCodes.Ok;
    });

    /// <summary><c>reelgate usage [--from D] [--to D] [--group-by day|model|key]</c>: where the credits went (<c>GET /api/v1/usage</c>).</summary>
    private Command UsageCommand()
    {
        var from = new Option<string?>("--from") { Description = "First UTC day, yyyy-MM-dd (default: 29 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last UTC day, inclusive (default: today)" };
        var groupBy = new Option<string>("--group-by") { Description = "day, model or key", DefaultValueFactory = _ => "day" };
        var command = new Command("usage", "Credits charged, refunded and net, and tasks by state, per UTC day, model or key") { from, to, groupBy };
        command.SetAction((p, ct) => WithClient(p, async (client, ct2) =>
        {
            var usage = await client.GetUsageAsync(Day(p.GetValue(from), "--from"), Day(p.GetValue(to), "--to"), p.GetValue(groupBy)!, ct2);
            await Emit(p, JsonSerializer.SerializeToNode(usage, WebJson)!, async () =>
            {
                await stdout.WriteLineAsync($"{usage.From} .. {usage.To} by {usage.GroupBy}");
                foreach (var r in usage.Rows.Append(usage.Total with { Group = "total" }))
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Group,-40} net {r.Net,8}  charged {r.Charged,8}  refunded {r.Refunded,8}  tasks {r.Tasks} ({r.Success} ok, {r.Fail} failed, {r.Waiting} waiting)"));
                }
            });
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static DateOnly? Day(string? text, string option) => text is null
        ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new CliException(ExitCodes.Usage, $"{option}: '{text}' is not a UTC day written yyyy-MM-dd");

    private static string DescribeLimits(long? creditLimit, string? creditPeriod, IReadOnlyList<string>? allowedIps, long? expiresAt) => string.Join("; ",
        creditLimit is { } l ? $"credit limit {l} per {creditPeriod}" : "no credit limit",
        allowedIps is { Count: > 0 } ips ? "from " + string.Join(", ", ips) : "from any address",
        expiresAt is { } at ? "expires " + DateTimeOffset.FromUnixTimeMilliseconds(at).ToString("u", CultureInfo.InvariantCulture) : "never expires");
}
