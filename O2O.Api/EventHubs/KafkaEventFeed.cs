using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Options;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Silo.EventHubs;

namespace O2O.Api.EventHubs;

/// <summary>
/// The durable feed: writes accepted events to the event hub through its Kafka endpoint, keyed by
/// the keyed hash of <see cref="CustomerEvent.RoutingKey"/> (never a phone or email in clear) so one
/// person's events share a partition and keep their order.
/// A publish completes only when every event of the batch is acknowledged by all in-sync replicas, so
/// the Api's 200 means "stored". Events not yet acknowledged are bounded; past the bound the batch is
/// refused whole (503 + Retry-After) instead of queueing without end.
/// </summary>
public sealed partial class KafkaEventFeed : IEventFeed, IDisposable
{
    private static readonly TimeSpan BusyRetry = TimeSpan.FromSeconds(1);
    private static readonly byte[] VersionBytes = Encoding.ASCII.GetBytes(EventJson.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private readonly IProducer<string, byte[]> _producer;
    private readonly string _hub;
    private readonly int _maxInFlight;
    private readonly ILogger<KafkaEventFeed> _logger;
    private readonly Grains.Privacy.Pseudonyms _pseudonyms;
    private long _inFlight;
    private int _disposed;

    public KafkaEventFeed(IOptions<EventHubsOptions> options, Grains.Privacy.Pseudonyms pseudonyms, ILogger<KafkaEventFeed> logger)
    {
        _pseudonyms = pseudonyms;
        var o = options.Value;
        _hub = o.Hub;
        _maxInFlight = o.MaxInFlightEvents;
        _logger = logger;
        var config = new ProducerConfig
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = o.LingerMs,
            MessageTimeoutMs = o.DeliveryTimeoutMs,
            // Our own bound is the real one; librdkafka's queue only has to be larger than it.
            QueueBufferingMaxMessages = Math.Max(100_000, o.MaxInFlightEvents * 2),
            QueueBufferingMaxKbytes = 1_048_576,
            ClientId = $"o2o-api-{Environment.MachineName}",
        };
        o.ParseConnection().ApplyTo(config);
        _producer = new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, error) => LogKafkaError(error.Code, error.Reason))
            .SetLogHandler((_, message) => LogKafkaMessage(message.Level <= SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, message.Facility, message.Message))
            .Build();
    }

    /// <summary>Events handed to the hub and not yet acknowledged.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public async ValueTask<FeedAdmission> PublishAsync(IReadOnlyList<CustomerEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return FeedAdmission.Ok;
        }
        if (Interlocked.Add(ref _inFlight, events.Count) > _maxInFlight)
        {
            Interlocked.Add(ref _inFlight, -events.Count);
            return FeedAdmission.Full(BusyRetry);
        }
        var batch = new PendingBatch(this, events.Count);
        var traceParent = Activity.Current?.Id;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var parent = e.TraceParent ?? traceParent;
            var headers = new Headers { { EventJson.VersionHeader, VersionBytes } };
            if (parent is not null)
            {
                headers.Add(EventJson.TraceParentHeader, Encoding.ASCII.GetBytes(parent));
            }
            var message = new Message<string, byte[]> { Key = _pseudonyms.Of(e.Tenant, e.RoutingKey), Value = EventJson.Serialize(e.TraceParent == parent ? e : e with { TraceParent = parent }), Headers = headers };
            try
            {
                _producer.Produce(_hub, message, batch.OnDelivered);
            }
            catch (ProduceException<string, byte[]> ex)
            {
                // Not handed over (local queue full, say): the rest of the batch is not sent either.
                LogProduceFailed(ex.Error.Code, ex.Error.Reason);
                batch.Abandon(events.Count - i);
                break;
            }
        }
        // Always wait: the in-flight count is released by deliveries, even when the caller goes away.
        var delivered = await batch.Completion.WaitAsync(cancellationToken);
        return delivered ? FeedAdmission.Ok : FeedAdmission.Full(BusyRetry);
    }

    public void Dispose()
    {
        // The container may dispose it twice: as itself and as the IEventFeed it also is.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    /// <summary>Counts one batch's deliveries; completes true when all were stored.</summary>
    private sealed class PendingBatch(KafkaEventFeed feed, int count)
    {
        private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = count;
        private int _failed;

        public Task<bool> Completion => _done.Task;

        public void OnDelivered(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Exchange(ref _failed, 1);
                feed.LogDeliveryFailed(report.Error.Code, report.Error.Reason);
            }
            Settle(1);
        }

        public void Abandon(int notSent)
        {
            Interlocked.Exchange(ref _failed, 1);
            Settle(notSent);
        }

        private void Settle(int n)
        {
            Interlocked.Add(ref feed._inFlight, -n);
            if (Interlocked.Add(ref _remaining, -n) == 0)
            {
                _done.TrySetResult(Volatile.Read(ref _failed) == 0);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event hub producer error {Code}: {Reason}")]
    private partial void LogKafkaError(ErrorCode code, string reason);

    [LoggerMessage(Message = "Event hub producer {Facility}: {Text}")]
    private partial void LogKafkaMessage(LogLevel level, string facility, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An event could not be handed to the event hub ({Code}: {Reason}); the batch is refused")]
    private partial void LogProduceFailed(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An event was not stored by the event hub ({Code}: {Reason}); the batch is refused and may be retried")]
    private partial void LogDeliveryFailed(ErrorCode code, string reason);
}
