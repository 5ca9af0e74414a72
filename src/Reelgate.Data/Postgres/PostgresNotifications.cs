using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reelgate.Data.Postgres;

/// <summary>
/// One dedicated connection per node that LISTENs on Reelgate's channels and hands every
/// notification to <paramref name="onNotification"/> (channel, payload). When the connection
/// breaks (database restart, network) it reconnects with backoff and then reports a
/// <see cref="Reconnected"/> pseudo-notification, because notifications sent while it was away
/// are lost: listeners must treat that as "look again" (workers claim, which is why the fallback
/// poll exists as well).
/// </summary>
public sealed partial class PostgresNotifications(PostgresDatabase db, ILogger<PostgresNotifications> log)
{
    /// <summary>The channel createTask notifies on commit (empty payload).</summary>
    public const string QueueChannel = PgTaskRows.QueueChannel;

    /// <summary>The channel of cross-node task events (payload: JSON of one event).</summary>
    public const string EventsChannel = "reelgate_events";

    /// <summary>The channel of upstream callbacks received by any node (payload: the upstream task id).</summary>
    public const string UpstreamChannel = "reelgate_upstream";

    /// <summary>Reported after every (re)connection.</summary>
    public const string Reconnected = "";

    public static readonly string[] Channels = [PgTaskRows.QueueChannel, EventsChannel, UpstreamChannel];

    public async Task ListenAsync(Action<string, string> onNotification, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.Source.OpenConnectionAsync(ct);
                conn.Notification += (_, e) => onNotification(e.Channel, e.Payload);
                foreach (var channel in Channels)
                {
                    await using var listen = new NpgsqlCommand("LISTEN " + channel, conn);
                    await listen.ExecuteNonQueryAsync(ct);
                }

                backoff = TimeSpan.FromMilliseconds(250);
                onNotification(Reconnected, "");
                while (!ct.IsCancellationRequested)
                {
                    await conn.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidOperationException)
            {
                LogLost(e.GetType().Name, e.Message, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(5000, backoff.TotalMilliseconds * 2));
            }
        }
    }

    /// <summary>Sends a notification (delivered to every listening node, this one included).</summary>
    public async Task NotifyAsync(string channel, string payload, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT pg_notify($1, $2)", conn) { Parameters = { new() { Value = channel }, new() { Value = payload } } };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL notifications: connection lost ({Error}: {Message}); reconnecting in {DelayMs} ms (workers keep polling meanwhile)")]
    private partial void LogLost(string error, string message, double delayMs);
}
