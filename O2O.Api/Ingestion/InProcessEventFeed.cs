using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Api.Ingestion;

/// <summary>In-process feed settings (section <c>O2O:Feed</c>).</summary>
public sealed class InProcessFeedOptions
{
    public const string Section = "O2O:Feed";

    /// <summary>Partitions, each drained in order by one pump.</summary>
    [Range(1, 256)] public int Partitions { get; set; } = 16;

    /// <summary>
    /// Events held at most, across partitions; beyond it publishers are told to retry (503). A full feed
    /// is drained at the grains' pace, so this is how long every event waits once senders outrun the
    /// silo: 10,000 is a tenth to a third of a second on two cores. At 100,000 and more, each event waited
    /// seconds and lived through two collections into the oldest generation before it was applied
    /// (bench/README.md, issue 20).
    /// </summary>
    [Range(100, 10_000_000)] public int Capacity { get; set; } = 10_000;

    /// <summary>
    /// Partitions of their own for check-ins, so a consultant's alert never waits behind the web's page
    /// views when those back up. Only check-ins that name no device go there: a device's events keep one
    /// partition, in order.
    /// </summary>
    [Range(0, 64)] public int CheckInPartitions { get; set; } = 2;

    /// <summary>
    /// Batches of the shared partitions applied at once. When the grains fall behind, every pump holds a
    /// full batch; unbounded, their grain calls filled the thread pool's queue with thousands of work items,
    /// and every hop of a check-in's alert waited behind them. The check-in partitions are not counted.
    /// </summary>
    [Range(1, 256)] public int ConcurrentBatches { get; set; } = 4;

    /// <summary>Events a pump applies per grain round.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 512;
}

/// <summary>
/// A bounded, partitioned in-memory feed. Capacity is reserved for a whole batch before any of it is
/// queued, so a batch is either accepted whole or refused whole, and the queue never grows past
/// <see cref="InProcessFeedOptions.Capacity"/>.
/// </summary>
public sealed class InProcessEventFeed : IEventFeed
{
    private readonly Channel<CustomerEvent>[] _partitions;
    private readonly int _capacity;
    private readonly int _shared;
    private readonly int _checkIns;
    private long _held;

    public InProcessEventFeed(IOptions<InProcessFeedOptions> options)
    {
        var o = options.Value;
        _capacity = o.Capacity;
        _shared = o.Partitions;
        _checkIns = o.CheckInPartitions;
        _partitions = [.. Enumerable.Range(0, _shared + _checkIns).Select(_ =>
            Channel.CreateUnbounded<CustomerEvent>(new UnboundedChannelOptions { SingleReader = true }))];
    }

    public IReadOnlyList<ChannelReader<CustomerEvent>> Partitions => [.. _partitions.Select(p => p.Reader)];

    /// <summary>True for the partitions that hold check-ins only.</summary>
    public bool IsCheckInPartition(int partition) => partition >= _shared;

    public ValueTask<FeedAdmission> PublishAsync(IReadOnlyList<CustomerEvent> events, CancellationToken cancellationToken)
    {
        if (Interlocked.Add(ref _held, events.Count) > _capacity)
        {
            Interlocked.Add(ref _held, -events.Count);
            return ValueTask.FromResult(FeedAdmission.Full(TimeSpan.FromSeconds(1)));
        }
        foreach (var e in events)
        {
            _partitions[PartitionOf(e)].Writer.TryWrite(e);
        }
        return ValueTask.FromResult(FeedAdmission.Ok);
    }

    /// <summary>Called by the pump once events are applied, freeing their capacity.</summary>
    public void Release(int count) => Interlocked.Add(ref _held, -count);

    public void Complete()
    {
        foreach (var p in _partitions)
        {
            p.Writer.TryComplete();
        }
    }

    private int PartitionOf(CustomerEvent e) =>
        e is { Type: EventType.CheckIn, AnonymousId: null } && _checkIns > 0
            ? _shared + (int)((uint)StableHash(e.RoutingKey) % (uint)_checkIns)
            : (int)((uint)StableHash(e.RoutingKey) % (uint)_shared);

    // string.GetHashCode is randomised per process; partitioning must not depend on that.
    private static int StableHash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s)
        {
            h = (h ^ c) * 16777619u;
        }
        return (int)h;
    }
}
