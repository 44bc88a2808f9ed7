using Microsoft.Extensions.Options;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Api.Ingestion;

/// <summary>
/// Drains each partition of the in-process feed into the grains, one batch at a time, so a
/// person's events are applied in the order they were accepted. Applies through the same
/// <see cref="ApplyPolicy"/> as the Event Hubs consumer: a transient failure holds the partition
/// until it passes; an event the domain refuses is logged by message id and counted as dead-lettered
/// (the in-process feed has no dead-letter hub: it lives and dies with this process).
/// </summary>
public sealed partial class EventPump(
    InProcessEventFeed feed,
    ApplyPolicy policy,
    IngestionHealth health,
    IOptions<InProcessFeedOptions> options,
    TimeProvider clock,
    ILogger<EventPump> logger) : BackgroundService
{
    private readonly SemaphoreSlim _sharedBatches = new(options.Value.ConcurrentBatches);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(feed.Partitions.Select((reader, i) => Task.Run(() => RunAsync(i, reader, stoppingToken), stoppingToken)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        feed.Complete();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Drains a partition; when the loop faults it starts again with the batch it held.</summary>
    private async Task RunAsync(int partition, System.Threading.Channels.ChannelReader<CustomerEvent> reader, CancellationToken ct)
    {
        var batch = new List<CustomerEvent>(options.Value.BatchSize);
        var lane = $"feed/{partition}";
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(lane, reader, batch, !feed.IsCheckInPartition(partition), ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRestarted(lane, ex);
                health.Restarted(lane, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
            }
        }
    }

    private async Task DrainAsync(string lane, System.Threading.Channels.ChannelReader<CustomerEvent> reader, List<CustomerEvent> batch, bool limited, CancellationToken ct)
    {
        while (batch.Count > 0 || await reader.WaitToReadAsync(ct))
        {
            while (batch.Count < options.Value.BatchSize && reader.TryRead(out var e))
            {
                batch.Add(e);
            }
            // A lane waiting to retry holds no slot, so a failing lane never stalls the others.
            foreach (var refused in await policy.ApplyAsync(lane, batch, ct, gate: limited ? _sharedBatches : null))
            {
                O2OTelemetry.EventsDeadLettered.Add(1, new KeyValuePair<string, object?>("reason", "rejected"));
                LogRefused(lane, batch[refused.Index].MessageId, refused.Error.GetType().Name, refused.Error.Message);
            }
            feed.Release(batch.Count);
            batch.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Lane {Lane} refused event {MessageId} for good ({Error}: {Reason})")]
    private partial void LogRefused(string lane, string messageId, string error, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lane {Lane} faulted; restarting it with the batch it held")]
    private partial void LogRestarted(string lane, Exception ex);
}
