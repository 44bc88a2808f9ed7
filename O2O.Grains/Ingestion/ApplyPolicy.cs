using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;

namespace O2O.Grains.Ingestion;

/// <summary>How feeds apply events (section <c>O2O:Ingestion</c>).</summary>
public sealed class ApplyPolicyOptions
{
    public const string Section = "O2O:Ingestion";

    /// <summary>First wait after a transient failure; doubles each attempt up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")] public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")] public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A lane retrying this long, a rebalance lasting this long, or lag growing this long turns <c>/health</c> degraded.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan StuckAfter { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>An event that can never apply, and why: it goes to the dead letters.</summary>
public sealed record RefusedEvent(int Index, Exception Error);

/// <summary>
/// The one apply policy of every feed (the Event Hubs consumer and the in-process pump). A transient
/// failure (storage, a silo, a timeout: anything not known to be permanent) is retried with backoff
/// for as long as it lasts, while the caller holds the lane, its partition and its offsets: nothing
/// is lost and nothing is skipped. Only an event the domain refuses (<see cref="IsPermanent"/>) is
/// given back as refused; when a batch is refused, its events are applied one by one so only the
/// guilty ones are. Safe because applying is idempotent (<see cref="EventApplier"/>).
/// </summary>
public sealed partial class ApplyPolicy(
    EventApplier applier,
    IngestionHealth health,
    IOptions<ApplyPolicyOptions> options,
    TimeProvider clock,
    ILogger<ApplyPolicy> logger)
{
    /// <summary>
    /// Applies every event that can apply; returns those that never can. Throws only when cancelled.
    /// A <paramref name="checkpoint"/> defers the profiles' writes to the partition's checkpoint.
    /// With <paramref name="gate"/>, each attempt holds one of its slots, and none while waiting to retry.
    /// </summary>
    public async Task<IReadOnlyList<RefusedEvent>> ApplyAsync(string lane, IReadOnlyList<CustomerEvent> events, CancellationToken ct, Checkpoints.CheckpointScope? checkpoint = null, SemaphoreSlim? gate = null)
    {
        if (events.Count == 0)
        {
            return [];
        }
        var refused = await ApplyUntilDoneAsync(lane, events, ct, checkpoint, gate);
        if (refused is null)
        {
            return [];
        }
        if (events.Count == 1)
        {
            return [new RefusedEvent(0, refused)];
        }
        LogIsolating(lane, events.Count, refused.GetType().Name);
        var guilty = new List<RefusedEvent>();
        for (var i = 0; i < events.Count; i++)
        {
            if (await ApplyUntilDoneAsync(lane, [events[i]], ct, checkpoint, gate) is { } error)
            {
                guilty.Add(new RefusedEvent(i, error));
            }
        }
        return guilty;
    }

    /// <summary>Errors that no retry can fix: the domain refused the event's content.</summary>
    public static bool IsPermanent(Exception ex) =>
        ex is ArgumentException or FormatException or NotSupportedException or InvalidDataException or KeyNotFoundException;

    private async Task<Exception?> ApplyUntilDoneAsync(string lane, IReadOnlyList<CustomerEvent> events, CancellationToken ct, Checkpoints.CheckpointScope? checkpoint, SemaphoreSlim? gate)
    {
        var o = options.Value;
        var delay = o.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await AttemptAsync(events, checkpoint, gate, ct);
                health.Applied(lane);
                return null;
            }
            catch (Exception ex) when (IsPermanent(ex))
            {
                health.Applied(lane);
                return ex;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                health.Retrying(lane, ex);
                O2OTelemetry.ApplyRetries.Add(1, new KeyValuePair<string, object?>("error", ex.GetType().Name));
                // Every attempt for the first few, then every 20th: an outage of minutes stays readable.
                if (attempt <= 3 || attempt % 20 == 0)
                {
                    LogRetry(lane, events.Count, attempt, delay.TotalMilliseconds, ex);
                }
                // Jitter, so lanes that failed together do not all retry in the same instant.
                var jittered = delay * (0.75 + Random.Shared.NextDouble() / 2);
                await Task.Delay(jittered, clock, ct);
                delay = TimeSpan.FromTicks(Math.Min(o.MaxRetryDelay.Ticks, delay.Ticks * 2));
            }
        }
    }

    private async Task AttemptAsync(IReadOnlyList<CustomerEvent> events, Checkpoints.CheckpointScope? checkpoint, SemaphoreSlim? gate, CancellationToken ct)
    {
        if (gate is null)
        {
            await applier.ApplyAsync(events, checkpoint);
            return;
        }
        await gate.WaitAsync(ct);
        try
        {
            await applier.ApplyAsync(events, checkpoint);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying {Count} events in lane {Lane} failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    private partial void LogRetry(string lane, int count, int attempt, double delayMs, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} events in lane {Lane} was refused ({Error}); applying one by one to find the events at fault")]
    private partial void LogIsolating(string lane, int count, string error);
}
