using O2O.Grains.Attribution;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;

namespace O2O.Grains.Ingestion;

/// <summary>
/// What one applied batch changed for the aggregates (campaigns, stores, attribution days, the
/// person's lead router), kept in the profile's state until the aggregates have it. It is stored in
/// the same write as the events it came from, so a crash or a failed call between the profile and
/// the aggregates leaves it owed rather than lost; its <see cref="Id"/> lets each aggregate apply it once.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.owed-delivery")]
public sealed record OwedDelivery
{
    /// <summary><c>{tenant}/{profileId}#{sequence}</c>: unique per profile and batch, stable across retries.</summary>
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public IReadOnlyList<FunnelDelta> Funnel { get; init; } = [];
    [Id(2)] public IReadOnlyList<StoreVisit> Visits { get; init; } = [];
    [Id(3)] public IReadOnlyList<StoreOrder> Orders { get; init; } = [];
    /// <summary>Each conversion (visit, purchase) with its credit under every attribution model.</summary>
    [Id(4)] public IReadOnlyList<ConversionCredits> Credits { get; init; } = [];
    /// <summary>When the newest applied event happened: the day the funnel moves count on.</summary>
    [Id(5)] public DateTimeOffset LatestEventAt { get; init; }
    /// <summary>The lead the batch raises (or refreshes) with the person's team router, if any.</summary>
    [Id(6)] public LeadRequest? Raise { get; init; }
    /// <summary>Segments the person entered or left (their segment grains' members and daily moves).</summary>
    [Id(7)] public Segments.SegmentChange? Segments { get; init; }
    /// <summary>Responses for the person's journeys (only for people who have been in one).</summary>
    [Id(8)] public IReadOnlyList<Journeys.NurtureSignal> Nurture { get; init; } = [];
    /// <summary>
    /// The segments due-wheel bucket (<see cref="Segments.DueWheel"/>) the person entered, if the batch
    /// moved them to another one. Delivered with the batch's other changes, so one wheel write takes a
    /// whole batch's entries instead of one write per person.
    /// </summary>
    [Id(13)] public long? DueBucket { get; init; }
    /// <summary>
    /// On the Event Hubs path: the partition (<c>{hub}/{partition}</c>) whose checkpoint stored and
    /// delivers this change, and the offset that checkpoint commits. Once that partition's committed
    /// offset reaches it, the change was delivered and the profile may forget it (see <see cref="Checkpoints.ProfileFlush"/>).
    /// </summary>
    [Id(10)] public string? CheckpointSource { get; init; }
    [Id(11)] public long CheckpointOffset { get; init; }
    /// <summary>The checkpoint attempt that first delivered this change, merged with the others it claimed (see <see cref="Checkpoints.GrainCheckpointer"/>).</summary>
    [Id(12)] public string? CheckpointAttempt { get; init; }

    /// <summary>The key of the profile grain that owes it (the id up to its sequence number).</summary>
    public string ProfileKey => Id[..Id.LastIndexOf('#')];

    public bool IsEmpty => !Counts && Raise is null && Segments is null && DueBucket is null;

    /// <summary>
    /// It changes counts (funnel, visits, orders, credits, journey responses). Aggregates remember the
    /// deliveries they applied only for a while, so such a delivery must never come again late: its
    /// acknowledgement is stored at once. The rest may come again at any time and change nothing: a lead
    /// raise (the router refreshes the open lead), segment moves (a segment's members are a set and it
    /// counts an entry or exit only when membership changes) and a due-wheel entry (a set as well).
    /// </summary>
    public bool Counts => Funnel.Count > 0 || Visits.Count > 0 || Orders.Count > 0 || Credits.Count > 0 || Nurture.Count > 0;
}

/// <summary>
/// The delivery ids an aggregate has applied most recently, so a delivery that comes again (the
/// profile did not hear it arrived, or the consumer replayed the batch) changes nothing. Bounded:
/// redeliveries come within the retry of the same batch or the replay after a crash, which is
/// seconds to minutes, while the log holds the last <see cref="Capacity"/> deliveries.
/// </summary>
[GenerateSerializer, Alias("o2o.delivery-log")]
public sealed class DeliveryLog
{
    public const int Capacity = 4_096;

    public DeliveryLog()
    {
    }

    public DeliveryLog(int limit) => Limit = limit;

    /// <summary>How many delivery ids are kept; <see cref="Capacity"/> unless the aggregate needs more.</summary>
    [Id(1)] public int Limit { get; set; } = Capacity;

    /// <summary>Hashes of the delivery ids, oldest first.</summary>
    [Id(0)] public List<ulong> Hashes { get; set; } = [];

    [NonSerialized] private HashSet<ulong>? _index;

    /// <summary>
    /// Records the delivery; false when it was applied before and must be skipped. An id
    /// <c>{group}|{delivery}</c> is one change delivered again after its checkpoint's attempt may have
    /// failed: it is skipped when the whole group (<c>{group}</c>, recorded by that attempt in one
    /// write) was applied, or when this change was delivered again before.
    /// </summary>
    public bool TryRecord(string deliveryId)
    {
        var index = _index ??= [.. Hashes];
        var bar = deliveryId.IndexOf('|', StringComparison.Ordinal);
        if (bar > 0 && index.Contains(Hash(deliveryId.AsSpan(0, bar))))
        {
            return false;
        }
        var hash = Hash(deliveryId);
        if (!index.Add(hash))
        {
            return false;
        }
        Hashes.Add(hash);
        if (Hashes.Count > Limit)
        {
            var drop = Hashes.Count - Limit;
            for (var i = 0; i < drop; i++)
            {
                index.Remove(Hashes[i]);
            }
            Hashes.RemoveRange(0, drop);
        }
        return true;
    }

    private static ulong Hash(ReadOnlySpan<char> id) =>
        System.IO.Hashing.XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(id));
}
