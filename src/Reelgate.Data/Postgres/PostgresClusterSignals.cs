using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Reelgate.Core.Cluster;

namespace Reelgate.Data.Postgres;

/// <summary>
/// The signals between the nodes of a PostgreSQL deployment, through LISTEN/NOTIFY. One dedicated
/// connection per listener LISTENs on Reelgate's channels. When it breaks (database restart,
/// network) it reconnects with backoff and then reports a queue wake-up, because notifications
/// sent while it was away are lost: workers claim again, which is also why their fallback poll
/// exists. A notification is delivered to every listening node, the sender's included.
/// </summary>
public sealed partial class PostgresClusterSignals(PostgresDatabase db, ILogger<PostgresClusterSignals> log) : IClusterSignals
{
    /// <summary>The channel createTask notifies on commit (empty payload).</summary>
    public const string QueueChannel = PgTaskRows.QueueChannel;

    /// <summary>The channel of cross-node task events (payload: JSON of one event).</summary>
    public const string EventsChannel = "reelgate_events";

    /// <summary>The channel of upstream callbacks received by any node (payload: the upstream task id).</summary>
    public const string UpstreamChannel = "reelgate_upstream";

    private static readonly string[] Channels = [QueueChannel, EventsChannel, UpstreamChannel];

    public Task<bool> PublishQueueWakeupAsync(CancellationToken ct) => NotifyAsync(QueueChannel, [""], ct);

    public Task<bool> PublishTaskEventsAsync(IReadOnlyList<ClusterTaskEvent> changes, CancellationToken ct) =>
        NotifyAsync(EventsChannel, [.. changes.Select(c => JsonSerializer.Serialize(Wire.From(c), SignalsJsonContext.Default.Wire))], ct);

    public Task<bool> PublishUpstreamHookAsync(string upstreamId, CancellationToken ct) => NotifyAsync(UpstreamChannel, [upstreamId], ct);

    public async Task ListenAsync(IClusterSignalHandler handler, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.Source.OpenConnectionAsync(ct);
                conn.Notification += (_, e) => Dispatch(handler, e.Channel, e.Payload);
                foreach (var channel in Channels)
                {
                    await using var listen = new NpgsqlCommand("LISTEN " + channel, conn);
                    await listen.ExecuteNonQueryAsync(ct);
                }

                backoff = TimeSpan.FromMilliseconds(250);
                handler.OnQueueWakeup(); // whatever was notified while we were away is lost: look again
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

    private void Dispatch(IClusterSignalHandler handler, string channel, string payload)
    {
        switch (channel)
        {
            case QueueChannel:
                handler.OnQueueWakeup();
                break;
            case UpstreamChannel:
                handler.OnUpstreamHook(payload);
                break;
            case EventsChannel:
                try
                {
                    var wire = JsonSerializer.Deserialize(payload, SignalsJsonContext.Default.Wire);
                    if (wire?.ToEvent() is { } change)
                    {
                        handler.OnTaskEvent(change);
                    }
                    else
                    {
                        LogBadEvent("missing fields");
                    }
                }
                catch (JsonException e)
                {
                    LogBadEvent(e.Message);
                }

                break;
        }
    }

    /// <summary>Sends notifications, in order, in one statement (delivered to every listening node, this one included).</summary>
    private async Task<bool> NotifyAsync(string channel, string[] payloads, CancellationToken ct)
    {
        try
        {
            await using var conn = await db.Source.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS u(p, o) ORDER BY o", conn)
            {
                Parameters = { new() { Value = channel }, new() { Value = payloads } },
            };
            await cmd.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            // Best effort (IClusterSignals): the receivers find the same thing by their slower way.
            LogSendFailed(channel, e.GetType().Name, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL notifications: connection lost ({Error}: {Message}); reconnecting in {DelayMs} ms (workers keep polling meanwhile)")]
    private partial void LogLost(string error, string message, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL notifications: could not notify {Channel} ({Error}: {Message}); other nodes catch up by polling or on reconnect")]
    private partial void LogSendFailed(string channel, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL notifications: ignored a malformed task event ({Message})")]
    private partial void LogBadEvent(string message);

    /// <summary>The task event on the wire: short names, because a NOTIFY payload is limited to 8000 bytes.</summary>
    internal sealed record Wire(
        [property: JsonPropertyName("n")] string? Origin,
        [property: JsonPropertyName("a")] string? AccountId,
        [property: JsonPropertyName("t")] string? TaskId,
        [property: JsonPropertyName("s")] string? State,
        [property: JsonPropertyName("p"), JsonRequired] int Progress,
        [property: JsonPropertyName("f")] string? FailCode,
        [property: JsonPropertyName("u"), JsonRequired] long UpdateTime)
    {
        public static Wire From(ClusterTaskEvent e) => new(e.Origin, e.AccountId, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime);

        public ClusterTaskEvent? ToEvent() => Origin is null || AccountId is null || TaskId is null || State is null
            ? null
            : new ClusterTaskEvent(Origin, AccountId, TaskId, State, Progress, FailCode, UpdateTime);
    }
}

[JsonSerializable(typeof(PostgresClusterSignals.Wire))]
internal sealed partial class SignalsJsonContext : JsonSerializerContext;
