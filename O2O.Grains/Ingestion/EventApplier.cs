using System.Diagnostics;
using System.Runtime.InteropServices;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Journeys;
using O2O.Grains.Leads;
using O2O.Grains.Orders;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Grains.Stores;

namespace O2O.Grains.Ingestion;

/// <summary>
/// Applies a batch of events to the grains: resolves each person, applies each person's events in
/// one call in their original order, delivers what the profiles owe campaigns, stores, attribution
/// days and lead routers (one call per grain per batch), refreshes the lead boards, and finally
/// tells the profiles what was delivered. Every feed (in-process, Event Hubs) drains through here.
/// </summary>
/// <remarks>
/// Applying is idempotent, so a batch that fails anywhere can be applied again whole: profiles
/// ignore message ids they have seen and keep their changes for the aggregates in their own state
/// until acknowledged (an outbox written with the events); aggregates ignore delivery ids they
/// have applied. A retry after a failure between the profile write and the aggregates' writes
/// delivers what is still owed, once.
/// </remarks>
public sealed class EventApplier(IGrainFactory grains, IdentityResolver resolver, TimeProvider clock)
{
    private const double MinimumLeadScore = 5;

    /// <summary>
    /// Applies the batch; returns how many events were new and how many were duplicates. With a
    /// <paramref name="checkpoint"/> (the Event Hubs path) profiles apply in memory and the scope
    /// records them for the partition's next checkpoint, which writes them and delivers what they owe;
    /// leads and boards still go out at once.
    /// </summary>
    public async Task<(int Applied, int Duplicates)> ApplyAsync(IReadOnlyList<CustomerEvent> events, Checkpoints.CheckpointScope? checkpoint = null)
    {
        var received = events.Count;
        var orderStep = await OrderBook.KeepAsync(grains, resolver.Pseudonyms, events);
        events = orderStep.Events;
        var unchangedOrders = received - events.Count;
        var byPerson = await ResolveAsync(events);
        var results = await Task.WhenAll(byPerson.Select(p => ApplyToProfileAsync(p.Tenant, p.ProfileId, p.Events, checkpoint)));

        // A change to an anonymous order (lines, payment) moves nobody's revenue and was counted for its store already.
        var anonymousOrders = events.Where(e => e.IsAnonymousOfflineOrder && e.Order is not null && e.OrderStep?.Effect != OrderEffect.Change).ToList();
        var deliveries = results.SelectMany(r => r.Result.Owed.Select(d => (r.Tenant, Delivery: d)))
            .Concat(anonymousOrders.Select(e => (e.Tenant, Delivery: AnonymousOrders.DeliveryOf(e))))
            .ToList();
        if (checkpoint is not null)
        {
            foreach (var r in results)
            {
                checkpoint.Touched(TenantKey.Compose(r.Tenant, r.ProfileId), r.Result.Lost ? Checkpoints.CheckpointScope.Conflicting : r.Result.Activation);
            }
            await Task.WhenAll(DeliverAsync(deliveries), RaiseAsync(results), UpsertBoardsAsync(results));
            // Orders stay unacknowledged: until the checkpoint has stored the profiles, a replay from the
            // committed offset must still carry them (profiles take each order version once).
            return Count(events, results, anonymousOrders.Count, unchangedOrders);
        }
        await Task.WhenAll(DeliverAsync(deliveries), UpsertBoardsAsync(results));
        await AcknowledgeAsync(results.Select(r => (r.Tenant, r.ProfileId, r.Result.Owed)));
        if (results.Where(r => r.Result.HeldBack > 0).ToList() is { Count: > 0 } full)
        {
            // Their outboxes are empty now: the retry of this batch applies what they held back.
            O2OTelemetry.EventsHeldBack.Add(full.Sum(r => r.Result.HeldBack));
            throw new OutboxFullException(full.Sum(r => r.Result.HeldBack), full.Count);
        }
        // Last, and not when events were held back: until here a retry of this batch must still carry its orders to the profiles.
        await OrderBook.AcknowledgeAsync(grains, orderStep);
        return Count(events, results, anonymousOrders.Count, unchangedOrders);
    }

    /// <summary>Counts what the batch applied and how long its events took to apply.</summary>
    private (int Applied, int Duplicates) Count(IReadOnlyList<CustomerEvent> events, (string Tenant, string ProfileId, ApplyResult Result)[] results, int anonymousOrders, int unchangedOrders)
    {
        var applied = results.Sum(r => r.Result.Applied) + anonymousOrders;
        var duplicates = results.Sum(r => r.Result.Duplicates) + unchangedOrders;
        var tenant = events.Count > 0 ? events[0].Tenant : "";
        O2OTelemetry.EventsApplied.Add(applied + duplicates, new KeyValuePair<string, object?>("tenant", tenant));
        if (duplicates > 0)
        {
            O2OTelemetry.EventsDuplicate.Add(duplicates);
        }
        var now = clock.GetUtcNow();
        foreach (var e in events)
        {
            O2OTelemetry.ApplyLatency.Record(Math.Max(0, (now - e.Timestamp).TotalMilliseconds));
        }
        return (applied, duplicates);
    }

    /// <summary>
    /// Resolves every event's person and gathers each person's events in their original order. Resolution
    /// claims identifiers, so one device's events resolve one after another; devices go in parallel. This
    /// runs for every event, so it is written without LINQ, and a device whose owner is cached (most of
    /// them) resolves without a task.
    /// </summary>
    private async Task<List<PersonBatch>> ResolveAsync(IReadOnlyList<CustomerEvent> events)
    {
        // next[i]: the index of the device's event after event i, or -1. A device's first event starts its chain.
        var next = new int[events.Count];
        var last = new Dictionary<string, int>(events.Count, StringComparer.Ordinal);
        var heads = new List<int>(events.Count);
        var resolved = new (string? ProfileId, CustomerEvent Event)[events.Count];
        List<Task>? waiting = null;
        for (var i = 0; i < events.Count; i++)
        {
            next[i] = -1;
            if (events[i].IsAnonymousOfflineOrder)
            {
                continue;
            }
            ref var previous = ref CollectionsMarshal.GetValueRefOrAddDefault(last, events[i].RoutingKey, out var seen);
            if (seen)
            {
                next[previous] = i;
            }
            else
            {
                heads.Add(i);
            }
            previous = i;
        }
        foreach (var head in heads)
        {
            if (ResolveChain(events, next, resolved, head) is { IsCompletedSuccessfully: false } chain)
            {
                (waiting ??= []).Add(chain.AsTask());
            }
        }
        if (waiting is not null)
        {
            await Task.WhenAll(waiting);
        }

        var people = new Dictionary<(string Tenant, string ProfileId), PersonBatch>();
        var batches = new List<PersonBatch>();
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].IsAnonymousOfflineOrder)
            {
                continue;
            }
            var (profileId, e) = resolved[i];
            if (profileId is null)
            {
                // The event carries an identifier on the suppression list: its person was erased.
                Privacy.PrivacyTelemetry.EventsSuppressed.Add(1);
                continue;
            }
            ref var person = ref CollectionsMarshal.GetValueRefOrAddDefault(people, (e.Tenant, profileId), out var known);
            if (!known)
            {
                person = new PersonBatch(e.Tenant, profileId, new List<CustomerEvent>(1));
                batches.Add(person);
            }
            person!.Events.Add(e);
        }
        return batches;
    }

    /// <summary>Resolves a device's events from <paramref name="i"/> on, one after another; synchronously while the resolver answers from its cache.</summary>
    private ValueTask ResolveChain(IReadOnlyList<CustomerEvent> events, int[] next, (string?, CustomerEvent)[] resolved, int i)
    {
        for (; i >= 0; i = next[i])
        {
            var resolving = resolver.ResolveAsync(events[i]);
            if (!resolving.IsCompletedSuccessfully)
            {
                return ResolveRestAsync(resolving, events, next, resolved, i);
            }
            resolved[i] = resolving.Result;
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask ResolveRestAsync(ValueTask<(string?, CustomerEvent)> resolving, IReadOnlyList<CustomerEvent> events, int[] next, (string?, CustomerEvent)[] resolved, int i)
    {
        resolved[i] = await resolving;
        if (next[i] >= 0)
        {
            await ResolveChain(events, next, resolved, next[i]);
        }
    }

    /// <summary>Delivers what a partition's checkpoint collected from the profiles it flushed (they stay owed until the partition commits).</summary>
    public Task DeliverOwedAsync(IReadOnlyList<(string Tenant, OwedDelivery Delivery)> deliveries) => DeliverAsync([.. deliveries]);

    private Task AcknowledgeAsync(IEnumerable<(string Tenant, string ProfileId, IReadOnlyList<OwedDelivery> Owed)> delivered) =>
        Task.WhenAll(delivered.Where(r => r.Owed.Count > 0).Select(r =>
            grains.Get<ICustomerGrain>(TenantKey.Compose(r.Tenant, r.ProfileId)).AcknowledgeAsync([.. r.Owed.Select(d => d.Id)])));

    /// <summary>Leads raised by deferred batches: routers keep one open lead per person, so a raise replayed after a crash only refreshes it.</summary>
    private Task RaiseAsync((string Tenant, string ProfileId, ApplyResult Result)[] results) =>
        Task.WhenAll(results
            .Where(r => r.Result.Raise is not null)
            .GroupBy(r => LeadRouterKey.For(r.Tenant, r.Result.Raise!.Team))
            .Select(g => grains.Get<ILeadRouterGrain>(g.Key).RaiseAsync([.. g.Select(r => r.Result.Raise!)])));

    private async Task<(string Tenant, string ProfileId, ApplyResult Result)> ApplyToProfileAsync(string tenant, string profileId, List<CustomerEvent> events, Checkpoints.CheckpointScope? checkpoint)
    {
        // The grain call continues the trace of the request that accepted the person's first event;
        // the others in the batch are linked.
        using var activity = StartApplyActivity(events);
        for (var hops = 0; ; hops++)
        {
            var key = TenantKey.Compose(tenant, profileId);
            var batch = new EventBatch(events) { Deferred = checkpoint is not null, ExpectedActivation = checkpoint?.ActivationOf(key) ?? Guid.Empty };
            var result = await grains.Get<ICustomerGrain>(key).ApplyAsync(batch);
            if (result.Erased)
            {
                await resolver.ErasedAsync(tenant, profileId, events);
            }
            if (result.RedirectTo is not { } next || hops > 3)
            {
                return (tenant, profileId, result);
            }
            profileId = next;
            foreach (var e in events)
            {
                resolver.Redirected(e, next);
            }
        }
    }

    private static Activity? StartApplyActivity(List<CustomerEvent> events)
    {
        if (!O2OTelemetry.Source.HasListeners())
        {
            return null;
        }
        ActivityContext.TryParse(events[0].TraceParent, null, out var parent);
        var links = events.Count == 1 ? null : events.Skip(1)
            .Select(e => ActivityContext.TryParse(e.TraceParent, null, out var linked) ? new ActivityLink(linked) : default)
            .Where(l => l.Context != default)
            .ToList();
        return O2OTelemetry.Source.StartActivity("o2o.apply profile", ActivityKind.Consumer, parent, links: links);
    }

    private Task DeliverAsync(List<(string Tenant, OwedDelivery Delivery)> deliveries)
    {
        var calls = new List<Task>();

        var campaigns = new Dictionary<string, List<CampaignUpdate>>(StringComparer.Ordinal);
        var stores = new Dictionary<string, List<StoreUpdate>>(StringComparer.Ordinal);
        foreach (var (tenant, d) in deliveries)
        {
            foreach (var campaign in d.Funnel.Where(f => f.Scope.StartsWith("c:", StringComparison.Ordinal)).GroupBy(f => f.Scope[2..]))
            {
                Add(campaigns, TenantKey.Compose(tenant, campaign.Key), new CampaignUpdate(d.Id, [.. campaign]));
            }
            var storeIds = d.Visits.Select(v => v.StoreId)
                .Concat(d.Orders.Select(o => o.StoreId))
                .Concat(d.Funnel.Where(f => f.Scope.StartsWith("s:", StringComparison.Ordinal)).Select(f => f.Scope[2..]))
                .Distinct(StringComparer.Ordinal);
            foreach (var storeId in storeIds)
            {
                Add(stores, TenantKey.Compose(tenant, storeId), new StoreUpdate(
                    d.Id,
                    [.. d.Visits.Where(v => v.StoreId == storeId)],
                    [.. d.Orders.Where(o => o.StoreId == storeId)],
                    [.. d.Funnel.Where(f => f.Scope == "s:" + storeId)]));
            }
        }
        calls.AddRange(campaigns.Select(c => grains.Get<ICampaignGrain>(c.Key).RecordAsync(c.Value)));
        calls.AddRange(stores.Select(s => grains.Get<IStoreGrain>(s.Key).RecordAsync(s.Value)));
        calls.AddRange(AttributionForwarding.Forward(grains, deliveries));
        // Routers keep one open lead per person and refresh it on a repeated raise, so a raise delivered twice is harmless.
        calls.AddRange(deliveries
            .Where(x => x.Delivery.Raise is not null)
            .GroupBy(x => LeadRouterKey.For(x.Tenant, x.Delivery.Raise!.Team))
            .Select(g => grains.Get<ILeadRouterGrain>(g.Key).RaiseAsync([.. g.Select(x => x.Delivery.Raise!)])));
        // Segment membership is a set, so a move delivered twice is harmless; journeys skip delivery ids they have seen.
        calls.AddRange(SegmentForwarding.Forward(grains, deliveries.Where(x => x.Delivery.Segments is not null).Select(x => (x.Tenant, x.Delivery.Segments!))));
        // A due wheel's members are a set, so an entry delivered twice is harmless; one call (one write) per bucket and batch.
        calls.AddRange(deliveries
            .Where(x => x.Delivery.DueBucket is not null)
            .GroupBy(x => DueWheel.Key(x.Tenant, WheelKind.Segments, x.Delivery.DueBucket!.Value))
            .Select(g => grains.Get<IDueWheelGrain>(g.Key).AddAllAsync([.. g.Select(x => TenantKey.Split(x.Delivery.ProfileKey).Id)])));
        calls.AddRange(deliveries.Where(x => x.Delivery.Nurture.Count > 0).Select(x =>
            grains.Get<IPersonJourneysGrain>(x.Delivery.ProfileKey).ObserveAsync(x.Delivery.Id, x.Delivery.Nurture)));
        return Task.WhenAll(calls);
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T item)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }
        list.Add(item);
    }

    /// <summary>Boards rank the person as they are now: a snapshot, so refreshing it twice is harmless.</summary>
    private Task UpsertBoardsAsync((string Tenant, string ProfileId, ApplyResult Result)[] results) =>
        Task.WhenAll(results
            .Where(r => r.Result.Lead is { RawScore: >= MinimumLeadScore })
            .SelectMany(r => new[] { (r.Tenant, Board: ILeadBoardGrain.AllStores, Lead: r.Result.Lead!) }
                .Concat(r.Result.Lead!.StoreId is { } store ? [(r.Tenant, store, r.Result.Lead!)] : []))
            .GroupBy(x => TenantKey.Compose(x.Tenant, x.Board))
            .Select(board => grains.Get<ILeadBoardGrain>(board.Key).UpsertAsync([.. board.Select(x => x.Lead)])));

    private sealed record PersonBatch(string Tenant, string ProfileId, List<CustomerEvent> Events);
}
