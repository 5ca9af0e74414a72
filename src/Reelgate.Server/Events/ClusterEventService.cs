using System.Text.Json;
using System.Threading.Channels;
using Reelgate.Data.Postgres;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Events;

/// <summary>
/// Joins a node to the others on a PostgreSQL deployment, through LISTEN/NOTIFY:
/// <list type="bullet">
/// <item>a task created on any node wakes idle workers on every node at once (createTask sends
/// the notification in its own transaction, so it is delivered only when the task is committed);
/// a lost listener connection is answered with one wake-up when it is back, and workers keep
/// their fallback poll, so a lost notification delays a task, never loses it;</item>
/// <item>task events (progress, ends) published on one node reach the SSE streams and MCP waits
/// of every node. Events are best effort, like any stream: clients re-read the task on
/// reconnect, and the task record stays the truth.</item>
/// <item>an upstream's callback received by one node wakes the poll of that upstream task on
/// whichever node runs it.</item>
/// </list>
/// On SQLite (one node) it does nothing.
/// </summary>
public sealed partial class ClusterEventService(
    IServiceProvider services,
    TaskEventHub hub,
    QueueSignal signal,
    Reelgate.Engines.Upstream.UpstreamWakeups wakeups,
    ILogger<ClusterEventService> log) : BackgroundService
{
    private readonly string _node = Guid.NewGuid().ToString("N")[..12];
    private readonly Channel<TaskEvent> _outbox = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private PostgresNotifications? _notifications;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!ReelgateHost.UsesPostgres(services))
        {
            return Task.CompletedTask; // one node on SQLite: nothing to join
        }

        var notifications = _notifications = services.GetRequiredService<PostgresNotifications>();
        hub.Relay = e => _outbox.Writer.TryWrite(e);
        return Task.WhenAll(notifications.ListenAsync(OnNotification, stoppingToken), SendAsync(stoppingToken));
    }

    private void OnNotification(string channel, string payload)
    {
        if (channel is PostgresNotifications.QueueChannel or PostgresNotifications.Reconnected)
        {
            signal.Pulse();
            return;
        }

        if (channel == PostgresNotifications.UpstreamChannel)
        {
            if (wakeups.IsTracked(payload))
            {
                wakeups.Wake(payload); // an upstream called back on some node: poll it now, it runs here
            }

            return;
        }

        if (channel != PostgresNotifications.EventsChannel)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            var r = doc.RootElement;
            if (r.GetProperty("n").GetString() == _node)
            {
                return; // this node's own event, already published here
            }

            hub.PublishLocal(
                r.GetProperty("a").GetString()!, r.GetProperty("t").GetString()!, r.GetProperty("s").GetString()!,
                r.GetProperty("p").GetInt32(), r.TryGetProperty("f", out var f) ? f.GetString() : null, r.GetProperty("u").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            LogBadEvent(e.Message);
        }
    }

    private async Task SendAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _outbox.Reader.ReadAllAsync(ct))
            {
                var payload = JsonSerializer.Serialize(new Wire(_node, e.AccountId, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime), ClusterJsonContext.Default.Wire);
                try
                {
                    await _notifications!.NotifyAsync(PostgresNotifications.EventsChannel, payload, ct);
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or IOException)
                {
                    LogSendFailed(ex.GetType().Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster events: ignored a malformed event ({Message})")]
    private partial void LogBadEvent(string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster events: could not relay an event to other nodes ({Error}: {Message}); their streams catch up on reconnect")]
    private partial void LogSendFailed(string error, string message);

    internal sealed record Wire(
        [property: System.Text.Json.Serialization.JsonPropertyName("n")] string Node,
        [property: System.Text.Json.Serialization.JsonPropertyName("a")] string AccountId,
        [property: System.Text.Json.Serialization.JsonPropertyName("t")] string TaskId,
        [property: System.Text.Json.Serialization.JsonPropertyName("s")] string State,
        [property: System.Text.Json.Serialization.JsonPropertyName("p")] int Progress,
        [property: System.Text.Json.Serialization.JsonPropertyName("f")] string? FailCode,
        [property: System.Text.Json.Serialization.JsonPropertyName("u")] long UpdateTime);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(ClusterEventService.Wire))]
internal sealed partial class ClusterJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
