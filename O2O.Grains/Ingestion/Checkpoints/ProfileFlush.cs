namespace O2O.Grains.Ingestion.Checkpoints;

/// <summary>
/// A partition's checkpoint asks a profile it touched to write. <see cref="Activation"/> is the
/// activation that applied the partition's deferred batches; <see cref="Watermark"/> the offset the
/// checkpoint will commit once every touched grain has written and its changes are delivered;
/// <see cref="Committed"/> the partition's committed offset now; <see cref="Attempt"/> names this
/// attempt at the checkpoint (unique), under which the aggregates record what it delivered.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.profile-flush")]
public sealed record ProfileFlush(
    [property: Id(0)] Guid Activation,
    [property: Id(1)] string Source,
    [property: Id(2)] long Watermark,
    [property: Id(3)] long Committed,
    [property: Id(4)] string Attempt);

/// <summary>
/// What a profile answers a checkpoint. <see cref="Lost"/>: the activation that applied the batches
/// is gone without writing them (its silo died), so the partition must replay from its committed
/// offset. Otherwise the state is stored and <see cref="Owed"/> is what the partition delivers.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.flush-result")]
public sealed record FlushResult
{
    [Id(0)] public bool Lost { get; init; }
    [Id(1)] public IReadOnlyList<OwedDelivery> Owed { get; init; } = [];
}

/// <summary>
/// Which of a profile's owed changes a partition's checkpoint forgets, claims and delivers. Pure, so
/// the rules are tested without a silo.
/// </summary>
/// <remarks>
/// A change is delivered only after a write that stored it, and never changes after that write, so
/// its id names the same content however often it is delivered. A change tagged with a partition's
/// checkpoint was delivered for certain once that partition's committed offset reaches the tag (the
/// consumer commits only after delivering), so it is forgotten lazily, without a write of its own.
/// </remarks>
public static class CheckpointOutbox
{
    /// <summary>
    /// Forgets what <paramref name="flush"/>'s partition has certainly delivered and claims every
    /// untagged change for this checkpoint. Returns whether the outbox changed in a way that must be
    /// written before delivering (a claim), and the changes this checkpoint delivers: its own and
    /// those of an earlier checkpoint of the partition that never committed (a crash; delivered again
    /// under the same id, which the aggregates skip if they have it).
    /// </summary>
    public static (bool MustWrite, List<OwedDelivery> Deliver) Prepare(List<OwedDelivery> outbox, ProfileFlush flush)
    {
        outbox.RemoveAll(o => o.CheckpointSource == flush.Source && o.CheckpointOffset <= flush.Committed);
        var mustWrite = false;
        var deliver = new List<OwedDelivery>();
        for (var i = 0; i < outbox.Count; i++)
        {
            var o = outbox[i];
            if (o.CheckpointSource is null)
            {
                outbox[i] = o = o with { CheckpointSource = flush.Source, CheckpointOffset = flush.Watermark, CheckpointAttempt = flush.Attempt };
                mustWrite = true;
            }
            // Another partition's claim is that partition's to deliver (and to redeliver after its crash).
            if (o.CheckpointSource == flush.Source)
            {
                deliver.Add(o);
            }
        }
        return (mustWrite, deliver);
    }

    /// <summary>What a write-through caller (HTTP feed, consents, orders) delivers and acknowledges itself: the unclaimed changes.</summary>
    public static List<OwedDelivery> Unclaimed(List<OwedDelivery> outbox) => [.. outbox.Where(o => o.CheckpointSource is null)];
}
