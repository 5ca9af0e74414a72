using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Reelgate.Server.Events;

/// <summary>
/// In-process fan-out of task changes to server-sent-event streams, fed by the same places that
/// change tasks (createTask, the workers, cancel), so no stream polls the database for events.
/// Each account keeps its last <see cref="History"/> events so a client that reconnects with
/// <c>Last-Event-ID</c> gets what it missed. Event ids are this process's; after a restart a
/// client's old id is unknown and it gets a fresh snapshot instead.
/// </summary>
public sealed class TaskEventHub
{
    public const int History = 1000;
    private readonly ConcurrentDictionary<string, Feed> _feeds = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>The id of the latest event published on this node.</summary>
    public long CurrentId => Interlocked.Read(ref _sequence);

    /// <summary>
    /// Where this node's events also go so other nodes' streams see them (set by
    /// <see cref="ClusterEventService"/>); null until it runs.
    /// </summary>
    public Action<TaskEvent>? Relay { get; set; }

    public void Publish(string accountId, string taskId, string state, int progress, string? failCode, long updateTime)
    {
        var e = PublishLocal(accountId, taskId, state, progress, failCode, updateTime);
        Relay?.Invoke(e);
    }

    /// <summary>Publishes an event another node relayed, to this node's streams only.</summary>
    public TaskEvent PublishLocal(string accountId, string taskId, string state, int progress, string? failCode, long updateTime)
    {
        var feed = _feeds.GetOrAdd(accountId, static _ => new Feed());
        lock (feed)
        {
            var e = new TaskEvent(++_sequence, accountId, taskId, state, progress, failCode, updateTime);
            feed.Recent.Enqueue(e);
            if (feed.Recent.Count > History)
            {
                feed.Recent.Dequeue();
            }

            foreach (var subscriber in feed.Subscribers)
            {
                // Slow readers lose the oldest buffered events rather than slowing the workers.
                subscriber.Writer.TryWrite(e);
            }

            return e;
        }
    }

    /// <summary>
    /// Subscribes to an account's events. Returns the buffered events after
    /// <paramref name="lastEventId"/> (null when that id is unknown: the caller should send a
    /// snapshot) and a reader of live ones; dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe(string accountId, long? lastEventId)
    {
        var feed = _feeds.GetOrAdd(accountId, static _ => new Feed());
        var channel = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(History) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (feed)
        {
            IReadOnlyList<TaskEvent>? missed = null;
            if (lastEventId is { } last && last <= Interlocked.Read(ref _sequence))
            {
                var oldest = feed.Recent.Count > 0 ? feed.Recent.Peek().Id : long.MaxValue;
                missed = last + 1 >= oldest || feed.Recent.Count == 0 ? feed.Recent.Where(e => e.Id > last).ToList() : null;
            }

            feed.Subscribers.Add(channel);
            return new Subscription(missed, channel.Reader, () =>
            {
                lock (feed)
                {
                    feed.Subscribers.Remove(channel);
                }
            });
        }
    }

    /// <summary>A live subscription: the missed events to replay first, then <see cref="Live"/>.</summary>
    public sealed class Subscription(IReadOnlyList<TaskEvent>? missed, ChannelReader<TaskEvent> live, Action stop) : IDisposable
    {
        public IReadOnlyList<TaskEvent>? Missed => missed;

        public ChannelReader<TaskEvent> Live => live;

        public void Dispose() => stop();
    }

    private sealed class Feed
    {
        public Queue<TaskEvent> Recent { get; } = new();

        public List<Channel<TaskEvent>> Subscribers { get; } = [];
    }
}
