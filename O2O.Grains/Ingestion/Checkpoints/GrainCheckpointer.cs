using System.Globalization;
using O2O.Grains.Attribution;
using O2O.Grains.Profiles;

namespace O2O.Grains.Ingestion.Checkpoints;

/// <summary>
/// The profiles one partition's deferred batches touched since its last checkpoint, each with the
/// activation that applied them. A profile seen under two activations between checkpoints may have
/// lost the first one's changes, so it is marked lost and the checkpoint replays.
/// </summary>
public sealed class CheckpointScope
{
    /// <summary>Never a real activation: forces the profile to answer "lost".</summary>
    public static readonly Guid Conflicting = new("ffffffff-ffff-ffff-ffff-ffffffffffff");

    private readonly Lock _lock = new();
    private Dictionary<string, Guid> _touched = new(StringComparer.Ordinal);
    // What the running checkpoint took: until it has written them, those activations still hold
    // changes that only they have.
    private Dictionary<string, Guid>? _inFlight;
    // A checkpoint found changes lost: nothing may apply until the partition replays (with a new scope).
    private bool _lost;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _touched.Count;
            }
        }
    }

    /// <summary>Called by the applier before the batch's offsets count as applied.</summary>
    public void Touched(string profileKey, Guid activation)
    {
        lock (_lock)
        {
            Merge(_touched, profileKey, activation);
        }
    }

    /// <summary>
    /// The activation that holds the partition's unwritten changes for a profile (touched since the
    /// last checkpoint, or taken by the running one); empty when none does. A batch for the profile
    /// must apply there or not at all (<see cref="Profiles.EventBatch.ExpectedActivation"/>).
    /// After a lost checkpoint, <see cref="Conflicting"/> for every profile: see <see cref="Lose"/>.
    /// </summary>
    public Guid ActivationOf(string profileKey)
    {
        lock (_lock)
        {
            if (_lost)
            {
                return Conflicting;
            }
            return _touched.TryGetValue(profileKey, out var activation) || (_inFlight?.TryGetValue(profileKey, out activation) ?? false)
                ? activation
                : Guid.Empty;
        }
    }

    /// <summary>Everything touched so far; later touches go to the next checkpoint.</summary>
    public Dictionary<string, Guid> Take()
    {
        lock (_lock)
        {
            var taken = _touched;
            _touched = new(StringComparer.Ordinal);
            _inFlight = taken;
            return taken;
        }
    }

    /// <summary>The checkpoint that took the profiles has written them (or found some lost).</summary>
    public void Completed()
    {
        lock (_lock)
        {
            _inFlight = null;
        }
    }

    /// <summary>
    /// The checkpoint found a profile whose activation ended without writing. Until the partition
    /// replays from its committed offset, every later batch is refused: applied now, a person's later
    /// events would land on the new activation before the replay brings back the earlier ones (a
    /// store visit attributed without the ad click before it).
    /// </summary>
    public void Lose()
    {
        lock (_lock)
        {
            _lost = true;
            _inFlight = null;
        }
    }

    /// <summary>A checkpoint that failed hands its profiles back, so the next one writes them.</summary>
    public void Restore(Dictionary<string, Guid> taken)
    {
        lock (_lock)
        {
            foreach (var (key, activation) in taken)
            {
                Merge(_touched, key, activation);
            }
            _inFlight = null;
        }
    }

    private static void Merge(Dictionary<string, Guid> touched, string key, Guid activation)
    {
        if (!touched.TryGetValue(key, out var known) || known == Guid.Empty)
        {
            touched[key] = activation;
        }
        else if (known != activation && activation != Guid.Empty)
        {
            touched[key] = Conflicting;
        }
    }
}

/// <summary>How a partition's checkpoint ended.</summary>
public enum CheckpointOutcome
{
    /// <summary>Every touched profile is written and what they owed is delivered: the watermark may be committed.</summary>
    Stored,

    /// <summary>A profile's activation ended without writing: replay the partition from its committed offset.</summary>
    Lost,
}

/// <summary>
/// Checkpoints one partition behind the event hub: asks every profile its deferred batches touched to
/// write (<see cref="ICustomerGrain.FlushAsync"/>), then delivers what they owe to campaigns, stores
/// and attribution days. Only after that may the partition's offset be committed.
/// </summary>
/// <remarks>
/// The changes a checkpoint attempt claims are merged into one delivery per tenant and day, with the
/// id <c>{attempt}:{tenant}:{day}</c>, so an aggregate records one id per partition per checkpoint,
/// not one per person. Changes claimed by an earlier attempt that may not have reached every
/// aggregate (a crash, a failed call) go again one by one as <c>{earlier group}|{change id}</c>, which
/// an aggregate skips when it has the group (<see cref="DeliveryLog.TryRecord"/>).
/// </remarks>
public sealed class GrainCheckpointer(IGrainFactory grains, EventApplier applier)
{
    // Profiles asked to write at once, per partition. Table storage takes writes that wait together in
    // one request per hundred (BatchedTableStorage, which also bounds the requests in flight), so a
    // checkpoint asks many at a time: at 64, its 10,000 writes went out about 5 to a request.
    private const int FlushesAtOnce = 1_000;

    public async Task<CheckpointOutcome> CheckpointAsync(CheckpointScope scope, string source, long watermark, long committed)
    {
        var touched = scope.Take();
        if (touched.Count == 0)
        {
            return CheckpointOutcome.Stored;
        }
        var attempt = Guid.NewGuid().ToString("N")[..16];
        try
        {
            var owed = new List<(string Tenant, OwedDelivery Delivery)>();
            var lost = false;
            using var stop = new CancellationTokenSource();
            try
            {
                await Parallel.ForEachAsync(touched, new ParallelOptions { MaxDegreeOfParallelism = FlushesAtOnce, CancellationToken = stop.Token }, async (t, _) =>
                {
                    var result = await grains.GetGrain<ICustomerGrain>(t.Key).FlushAsync(new ProfileFlush(t.Value, source, watermark, committed, attempt));
                    lock (owed)
                    {
                        lost |= result.Lost;
                        owed.AddRange(result.Owed.Select(d => (TenantKey.Split(t.Key).Tenant, d)));
                    }
                    if (result.Lost)
                    {
                        // No point writing the rest: the partition replays from its committed offset.
                        await stop.CancelAsync();
                    }
                });
            }
            catch (OperationCanceledException) when (lost)
            {
            }
            if (lost)
            {
                scope.Lose();
                return CheckpointOutcome.Lost;
            }
            await applier.DeliverOwedAsync(Group(owed, attempt));
            scope.Completed();
            return CheckpointOutcome.Stored;
        }
        catch
        {
            scope.Restore(touched);
            throw;
        }
    }

    /// <summary>
    /// This attempt's changes merged per tenant and day; earlier attempts' changes one by one under their
    /// group. What goes to the person's own grains (segment moves, the due-wheel entry, journey
    /// responses) is not merged: it goes last, one delivery per change under the change's own id.
    /// </summary>
    public static List<(string Tenant, OwedDelivery Delivery)> Group(IEnumerable<(string Tenant, OwedDelivery Delivery)> owed, string attempt)
    {
        var merged = new Dictionary<string, (string Tenant, List<OwedDelivery> Parts)>(StringComparer.Ordinal);
        var again = new List<(string Tenant, OwedDelivery Delivery)>();
        var personal = new List<(string Tenant, OwedDelivery Delivery)>();
        foreach (var (tenant, whole) in owed)
        {
            var d = whole;
            if (d.Segments is not null || d.DueBucket is not null || d.Nurture.Count > 0)
            {
                personal.Add((tenant, new OwedDelivery { Id = d.Id, Segments = d.Segments, DueBucket = d.DueBucket, Nurture = d.Nurture, LatestEventAt = d.LatestEventAt }));
                d = d with { Segments = null, DueBucket = null, Nurture = [] };
            }
            var group = GroupId(d.CheckpointAttempt ?? attempt, tenant, d.LatestEventAt);
            if (d.CheckpointAttempt is { } first && first != attempt)
            {
                again.Add((tenant, d with { Id = $"{group}|{d.Id}" }));
                continue;
            }
            if (!merged.TryGetValue(group, out var parts))
            {
                merged[group] = parts = (tenant, []);
            }
            parts.Parts.Add(d);
        }
        return [.. merged.Select(g => (g.Value.Tenant, new OwedDelivery
        {
            Id = g.Key,
            Funnel = [.. g.Value.Parts.SelectMany(p => p.Funnel)],
            Visits = [.. g.Value.Parts.SelectMany(p => p.Visits)],
            Orders = [.. g.Value.Parts.SelectMany(p => p.Orders)],
            Credits = [.. g.Value.Parts.SelectMany(p => p.Credits)],
            LatestEventAt = g.Value.Parts.Max(p => p.LatestEventAt),
        })), .. again, .. personal];
    }

    private static string GroupId(string attempt, string tenant, DateTimeOffset latest) =>
        string.Create(CultureInfo.InvariantCulture, $"cp:{attempt}:{tenant}:{ReportCalendar.DayOf(latest):yyyy-MM-dd}");
}
