using Microsoft.Extensions.Options;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Api.Ingestion;

/// <summary>
/// Drains each partition of the in-process feed into the grains, one batch at a time, so a
/// person's events are applied in the order they were accepted.
/// </summary>
public sealed partial class EventPump(
    InProcessEventFeed feed,
    EventApplier applier,
    IOptions<InProcessFeedOptions> options,
    TimeProvider clock,
    ILogger<EventPump> logger) : BackgroundService
{
    private const int MaxAttempts = 8;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(feed.Partitions.Select((reader, i) => Task.Run(() => DrainAsync(i, reader, stoppingToken), stoppingToken)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        feed.Complete();
        await base.StopAsync(cancellationToken);
    }

    private async Task DrainAsync(int partition, System.Threading.Channels.ChannelReader<CustomerEvent> reader, CancellationToken ct)
    {
        var batch = new List<CustomerEvent>(options.Value.BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                while (batch.Count < options.Value.BatchSize && reader.TryRead(out var e))
                {
                    batch.Add(e);
                }
                await ApplyWithRetryAsync(partition, batch, ct);
                feed.Release(batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ApplyWithRetryAsync(int partition, List<CustomerEvent> batch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await applier.ApplyAsync(batch);
                return;
            }
            catch (Exception ex) when (attempt < MaxAttempts && !ct.IsCancellationRequested)
            {
                // Applying is idempotent (profiles skip message ids they have seen), so retry the whole batch.
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 50 * Math.Pow(2, attempt)));
                LogRetry(partition, batch.Count, attempt, delay.TotalMilliseconds, ex);
                await Task.Delay(delay, clock, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                O2OTelemetry.EventsDeadLettered.Add(batch.Count, new KeyValuePair<string, object?>("reason", "apply_failed"));
                LogGaveUp(partition, batch.Count, string.Join(',', batch.Select(e => e.MessageId)), ex);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying {Count} events from partition {Partition} failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    private partial void LogRetry(int partition, int count, int attempt, double delayMs, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up applying {Count} events from partition {Partition}; message ids {MessageIds}")]
    private partial void LogGaveUp(int partition, int count, string messageIds, Exception ex);
}
