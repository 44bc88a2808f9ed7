using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using O2O.Grains.Diagnostics;

namespace O2O.Grains.Ingestion;

/// <summary>
/// How this process's feed is doing: lanes retrying a transient failure, lanes restarted after a
/// fault, consumer lag and group rebalances. <c>/health</c> reads <see cref="Evaluate"/>: degraded
/// while a lane has retried longer than <see cref="ApplyPolicyOptions.StuckAfter"/>, a rebalance has
/// lasted that long, or lag has grown for that long.
/// </summary>
public sealed class IngestionHealth(IOptions<ApplyPolicyOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, LaneTrouble> _retrying = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Queue<(DateTimeOffset At, long Lag)> _lag = new();
    private DateTimeOffset? _rebalancingSince;
    private TimeSpan? _lastRebalance;
    private int _rebalances;
    private int _restarts;
    private string? _lastRestart;

    /// <summary>The lane applied (or refused) its batch: whatever it was retrying is over.</summary>
    public void Applied(string lane) => _retrying.TryRemove(lane, out _);

    /// <summary>The lane failed transiently and will retry.</summary>
    public void Retrying(string lane, Exception error) =>
        _retrying.AddOrUpdate(lane, _ => new LaneTrouble(clock.GetUtcNow(), error.GetType().Name, 1),
            (_, t) => t with { Error = error.GetType().Name, Attempts = t.Attempts + 1 });

    /// <summary>A lane's loop faulted and was started again.</summary>
    public void Restarted(string lane, Exception error)
    {
        Interlocked.Increment(ref _restarts);
        _lastRestart = $"{lane}: {error.GetType().Name}";
    }

    /// <summary>The total lag of the partitions this process owns, sampled every commit interval.</summary>
    public void RecordLag(long lag)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _lag.Enqueue((now, lag));
            while (_lag.Count > 0 && _lag.Peek().At < now - options.Value.StuckAfter * 2)
            {
                _lag.Dequeue();
            }
        }
    }

    public void RebalanceStarted()
    {
        lock (_lock)
        {
            _rebalancingSince ??= clock.GetUtcNow();
        }
    }

    /// <summary>The group handed out partitions again: the rebalance that began with the revocation is over.</summary>
    public void RebalanceEnded()
    {
        lock (_lock)
        {
            if (_rebalancingSince is not { } since)
            {
                return;
            }
            _lastRebalance = clock.GetUtcNow() - since;
            _rebalancingSince = null;
            _rebalances++;
            O2OTelemetry.RebalanceDuration.Record(_lastRebalance.Value.TotalMilliseconds);
        }
    }

    /// <summary>Degraded or healthy, why, and the figures behind it.</summary>
    public (bool Degraded, string Description, IReadOnlyDictionary<string, object> Data) Evaluate()
    {
        var now = clock.GetUtcNow();
        var stuckAfter = options.Value.StuckAfter;
        var problems = new List<string>();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (lane, t) in _retrying)
        {
            var for_ = now - t.Since;
            if (for_ >= stuckAfter)
            {
                problems.Add($"lane {lane} has retried for {for_.TotalSeconds:0} s ({t.Error}, {t.Attempts} attempts)");
            }
        }
        data["retryingLanes"] = _retrying.Count;
        data["laneRestarts"] = Volatile.Read(ref _restarts);
        if (_lastRestart is { } restart)
        {
            data["lastLaneRestart"] = restart;
        }
        lock (_lock)
        {
            data["rebalances"] = _rebalances;
            if (_lastRebalance is { } last)
            {
                data["lastRebalanceMs"] = Math.Round(last.TotalMilliseconds);
            }
            if (_rebalancingSince is { } since)
            {
                data["rebalancingForMs"] = Math.Round((now - since).TotalMilliseconds);
                if (now - since >= stuckAfter)
                {
                    problems.Add($"the consumer group has been rebalancing for {(now - since).TotalSeconds:0} s");
                }
            }
            if (_lag.Count > 0)
            {
                data["lag"] = _lag.Last().Lag;
                if (LagGrowing(now - stuckAfter) is { } grown)
                {
                    problems.Add($"lag has grown by {grown} messages over the last {stuckAfter.TotalSeconds:0} s");
                }
            }
        }
        return problems.Count == 0
            ? (false, "Events are being applied.", data)
            : (true, string.Join("; ", problems), data);
    }

    /// <summary>By how much lag grew when it never fell since <paramref name="from"/>; null when it did fall (or no samples span that long).</summary>
    private long? LagGrowing(DateTimeOffset from)
    {
        var samples = _lag.Where(s => s.At >= from).ToList();
        if (samples.Count < 3 || _lag.Peek().At > from)
        {
            return null;
        }
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Lag < samples[i - 1].Lag)
            {
                return null;
            }
        }
        var grown = samples[^1].Lag - samples[0].Lag;
        return grown > 0 ? grown : null;
    }

    private sealed record LaneTrouble(DateTimeOffset Since, string Error, int Attempts);
}
