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
    private readonly Dictionary<int, PartitionWait> _partitions = [];
    private TimeSpan? _lastStall;
    private TimeSpan _longestStall;
    private int _stalls;
    private readonly Queue<string> _recentStalls = new();

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

    /// <summary>
    /// The whole consumer group's progress on every partition of the hub, owned here or not: its
    /// committed offset and the end of the log. A partition with messages waiting whose commit does
    /// not move is stalled: nobody owns it (its member died and the group has not yet handed it on,
    /// or a rebalance is under way) or its owner is stuck. How long each stall lasted is recorded in
    /// <c>o2o.consumer.partition_stall.duration</c> when its commits move again; the stalls that
    /// ended with this sample are returned.
    /// </summary>
    public IReadOnlyList<(int Partition, TimeSpan Stall)> GroupProgress(IReadOnlyDictionary<int, (long Committed, long End)> partitions)
    {
        var now = clock.GetUtcNow();
        var ended = new List<(int, TimeSpan)>();
        lock (_lock)
        {
            foreach (var (partition, (committed, end)) in partitions)
            {
                var waiting = end > committed;
                DateTimeOffset? waitingSince = waiting ? now : null;
                if (_partitions.TryGetValue(partition, out var last))
                {
                    var moved = last.Committed != committed;
                    if (last.WaitingSince is { } since && (moved || !waiting) && StallEnded(partition, now - since))
                    {
                        ended.Add((partition, now - since));
                    }
                    waitingSince = waiting && !moved ? last.WaitingSince ?? now : waitingSince;
                }
                _partitions[partition] = new PartitionWait(committed, waitingSince, end - committed);
            }
        }
        return ended;
    }

    private bool StallEnded(int partition, TimeSpan stall)
    {
        // Owners commit every second or so while they progress; only a wait longer than a few of
        // those is a stall worth recording.
        if (stall < MinimumStall)
        {
            return false;
        }
        _stalls++;
        _lastStall = stall;
        _longestStall = stall > _longestStall ? stall : _longestStall;
        _recentStalls.Enqueue($"{clock.GetUtcNow():HH:mm:ss} partition {partition}: {stall.TotalMilliseconds:0} ms");
        while (_recentStalls.Count > 16)
        {
            _recentStalls.Dequeue();
        }
        O2OTelemetry.PartitionStallDuration.Record(stall.TotalMilliseconds, new KeyValuePair<string, object?>("partition", partition));
        return true;
    }

    /// <summary>Waits shorter than this between commits are an owner's normal rhythm, not a stall.</summary>
    public static readonly TimeSpan MinimumStall = TimeSpan.FromSeconds(3);

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
            var stalled = _partitions
                .Where(p => p.Value.WaitingSince is { } since && now - since >= stuckAfter)
                .Select(p => $"partition {p.Key} ({p.Value.Behind} behind, no commit for {(now - p.Value.WaitingSince!.Value).TotalSeconds:0} s)")
                .ToList();
            if (stalled.Count > 0)
            {
                problems.Add("the group is not progressing on " + string.Join(", ", stalled));
            }
            if (_partitions.Count > 0)
            {
                data["stalledPartitions"] = stalled.Count;
                data["partitionStalls"] = _stalls;
                data["groupLag"] = _partitions.Values.Sum(p => Math.Max(0, p.Behind));
            }
            if (_lastStall is { } lastStall)
            {
                data["lastPartitionStallMs"] = Math.Round(lastStall.TotalMilliseconds);
                data["longestPartitionStallMs"] = Math.Round(_longestStall.TotalMilliseconds);
                data["recentPartitionStalls"] = _recentStalls.ToArray();
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

    /// <summary>A partition's last committed offset, since when messages have waited behind it without it moving, and how many.</summary>
    private sealed record PartitionWait(long Committed, DateTimeOffset? WaitingSince, long Behind);
}
