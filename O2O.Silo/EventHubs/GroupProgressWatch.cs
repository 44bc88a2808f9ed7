using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Options;
using O2O.Grains.Diagnostics;
using O2O.Grains.Ingestion;

namespace O2O.Silo.EventHubs;

/// <summary>
/// Watches the consumer group's progress on every partition of the hub, not only the ones this
/// silo owns: the group's committed offset against the end of the log, every two commit intervals.
/// A partition a killed silo held belongs to nobody until the group gives up on that member
/// (<see cref="EventHubsOptions.SessionTimeout"/>) and hands it on; no member reports lag for it
/// meanwhile, so only a view of the whole group sees it waiting. <see cref="IngestionHealth"/> turns
/// that into <c>/health</c> (degraded while a partition with messages waiting has not moved for
/// <c>StuckAfter</c>) and <c>o2o.consumer.partition_stall.duration</c>; <c>o2o.consumer.group_lag</c>
/// is each partition's backlog as the group stands. Its own admin client: it never touches the
/// consumer's loop.
/// </summary>
public sealed partial class GroupProgressWatch(
    IngestionHealth health,
    IOptions<EventHubsOptions> options,
    ILogger<GroupProgressWatch> logger) : BackgroundService
{
    public const string GroupLagMetric = "o2o.consumer.group_lag";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private static readonly ConcurrentDictionary<(string Topic, int Partition), long> GroupLags = new();

    private static readonly ObservableGauge<long> GroupLagGauge = O2OTelemetry.Meter.CreateObservableGauge(
        GroupLagMetric,
        () => GroupLags.Select(l => new Measurement<long>(l.Value,
            new KeyValuePair<string, object?>("topic", l.Key.Topic),
            new KeyValuePair<string, object?>("partition", l.Key.Partition))),
        "{message}",
        "Messages after the consumer group's committed offset, per partition of the hub, owned or not");

    private readonly EventHubsOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = new AdminClientConfig { ClientId = "o2o-group-progress" };
        _options.ParseConnection().ApplyTo(config);
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(2).Ticks, _options.CommitInterval.Ticks * 2));
        using var timer = new PeriodicTimer(every);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(admin);
                }
                catch (Exception ex) when (ex is KafkaException or TimeoutException or InvalidOperationException)
                {
                    // The endpoint is briefly unreachable, or the hub does not exist yet: sample again next time.
                    LogSampleFailed(ex.GetType().Name, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SampleAsync(IAdminClient admin)
    {
        // librdkafka's metadata call blocks: off the caller's thread.
        var metadata = await Task.Run(() => admin.GetMetadata(_options.Hub, RequestTimeout));
        var partitions = metadata.Topics.FirstOrDefault(t => t.Topic == _options.Hub && !t.Error.IsError)?.Partitions
            .Select(p => new TopicPartition(_options.Hub, p.PartitionId)).ToList();
        if (partitions is not { Count: > 0 })
        {
            return;
        }
        var committed = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(_options.ConsumerGroup, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = RequestTimeout });
        var ends = await admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = RequestTimeout });
        var end = ends.ResultInfos.Where(r => !r.TopicPartitionOffsetError.Error.IsError)
            .ToDictionary(r => r.TopicPartitionOffsetError.Partition.Value, r => r.TopicPartitionOffsetError.Offset.Value);
        var progress = new Dictionary<int, (long Committed, long End)>();
        foreach (var p in committed.SelectMany(g => g.Partitions).Where(p => !p.Error.IsError))
        {
            if (!end.TryGetValue(p.Partition.Value, out var last))
            {
                continue;
            }
            // Never committed: the group starts from the beginning of the log.
            var at = p.Offset.IsSpecial ? 0 : p.Offset.Value;
            progress[p.Partition.Value] = (at, last);
            GroupLags[(_options.Hub, p.Partition.Value)] = Math.Max(0, last - at);
        }
        foreach (var (partition, stall) in health.GroupProgress(progress))
        {
            LogStallEnded(partition, stall.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} moves again after {StallMs:0} ms with messages waiting and no commit")]
    private partial void LogStallEnded(int partition, double stallMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sampling the consumer group's progress failed ({Error}: {Reason})")]
    private partial void LogSampleFailed(string error, string reason);
}
