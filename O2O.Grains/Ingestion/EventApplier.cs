using System.Diagnostics;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Journeys;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Grains.Stores;

namespace O2O.Grains.Ingestion;

/// <summary>
/// Applies a batch of events to the grains: resolves each person, applies each person's events in
/// one call in their original order, then tells campaigns, stores and lead boards what changed,
/// one call per grain per batch. Every feed (in-process, Event Hubs) drains through here.
/// </summary>
/// <remarks>
/// Applying is idempotent: profiles ignore message ids they have seen, so a batch that fails
/// half-way can be applied again whole.
/// </remarks>
public sealed class EventApplier(IGrainFactory grains, IdentityResolver resolver, TimeProvider clock)
{
    private const double MinimumLeadScore = 5;

    /// <summary>Applies the batch; returns how many events were new and how many were duplicates.</summary>
    public async Task<(int Applied, int Duplicates)> ApplyAsync(IReadOnlyList<CustomerEvent> events)
    {
        var byPerson = await ResolveAsync(events);
        var results = await Task.WhenAll(byPerson.Select(p => ApplyToProfileAsync(p.Tenant, p.ProfileId, p.Events)));

        var anonymousOrders = events.Where(e => e.IsAnonymousOfflineOrder && e.Order is not null).ToList();
        await Task.WhenAll(ForwardAsync(results, anonymousOrders), RaiseLeadsAsync(results));

        var applied = results.Sum(r => r.Result.Applied) + anonymousOrders.Count;
        var duplicates = results.Sum(r => r.Result.Duplicates);
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

    private async Task<List<PersonBatch>> ResolveAsync(IReadOnlyList<CustomerEvent> events)
    {
        // Resolution claims identifiers, so one device's events resolve in order; devices in parallel.
        var byDevice = events.Select((e, i) => (e, i)).Where(x => !x.e.IsAnonymousOfflineOrder).GroupBy(x => x.e.RoutingKey);
        var resolved = await Task.WhenAll(byDevice.Select(async group =>
        {
            var list = new List<(int Index, string ProfileId, CustomerEvent Event)>();
            foreach (var (e, i) in group)
            {
                var (profileId, cleaned) = await resolver.ResolveAsync(e);
                list.Add((i, profileId!, cleaned));
            }
            return list;
        }));
        return [.. resolved.SelectMany(l => l)
            .GroupBy(x => (x.Event.Tenant, x.ProfileId))
            .Select(g => new PersonBatch(g.Key.Tenant, g.Key.ProfileId, [.. g.OrderBy(x => x.Index).Select(x => x.Event)]))];
    }

    private async Task<(string Tenant, ApplyResult Result)> ApplyToProfileAsync(string tenant, string profileId, List<CustomerEvent> events)
    {
        // The grain call continues the trace of the request that accepted the person's first event;
        // the others in the batch are linked.
        using var activity = StartApplyActivity(events);
        var batch = new EventBatch(events);
        for (var hops = 0; ; hops++)
        {
            var result = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).ApplyAsync(batch);
            if (result.RedirectTo is not { } next || hops > 3)
            {
                return (tenant, result);
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

    private Task ForwardAsync((string Tenant, ApplyResult Result)[] results, List<CustomerEvent> anonymousOrders)
    {
        var calls = new List<Task>();

        var campaignDeltas = results
            .SelectMany(r => r.Result.Funnel.Where(d => d.Scope.StartsWith("c:", StringComparison.Ordinal)).Select(d => (r.Tenant, Delta: d)))
            .GroupBy(x => TenantKey.Compose(x.Tenant, x.Delta.Scope[2..]));
        foreach (var campaign in campaignDeltas)
        {
            calls.Add(grains.GetGrain<ICampaignGrain>(campaign.Key).RecordAsync([.. campaign.Select(x => x.Delta)]));
        }

        var storeKeys = new Dictionary<string, (List<StoreVisit> Visits, List<StoreOrder> Orders, List<FunnelDelta> Funnel)>(StringComparer.Ordinal);
        (List<StoreVisit>, List<StoreOrder>, List<FunnelDelta>) For(string tenant, string storeId)
        {
            var key = TenantKey.Compose(tenant, storeId);
            if (!storeKeys.TryGetValue(key, out var lists))
            {
                storeKeys[key] = lists = ([], [], []);
            }
            return lists;
        }
        foreach (var (tenant, r) in results)
        {
            foreach (var visit in r.Visits)
            {
                For(tenant, visit.StoreId).Item1.Add(visit);
            }
            foreach (var order in r.Orders)
            {
                For(tenant, order.StoreId).Item2.Add(order);
            }
            foreach (var delta in r.Funnel.Where(d => d.Scope.StartsWith("s:", StringComparison.Ordinal)))
            {
                For(tenant, delta.Scope[2..]).Item3.Add(delta);
            }
        }
        foreach (var e in anonymousOrders)
        {
            var order = e.Order!;
            For(e.Tenant, e.StoreId ?? "online").Item2.Add(new StoreOrder(e.StoreId ?? "online", order.OrderId, order.Source, order.Total, e.Timestamp, Identified: false));
            if (e.StoreId is not null && e.CheckInMethod is null && order.Source == OrderSource.Pos)
            {
                // An anonymous POS sale is still a visit: somebody stood at the till.
                For(e.Tenant, e.StoreId).Item1.Add(new StoreVisit(e.StoreId, CheckInMethod.Pos, e.Timestamp, null));
            }
        }
        foreach (var (key, (visits, orders, funnel)) in storeKeys)
        {
            calls.Add(grains.GetGrain<IStoreGrain>(key).RecordAsync(new StoreUpdate(visits, orders, funnel)));
        }

        var leads = results.Where(r => r.Result.Lead is { RawScore: >= MinimumLeadScore }).ToList();
        foreach (var board in leads
            .SelectMany(r => new[] { (r.Tenant, Board: ILeadBoardGrain.AllStores, r.Result.Lead!) }
                .Concat(r.Result.Lead!.StoreId is { } store ? [(r.Tenant, store, r.Result.Lead!)] : []))
            .GroupBy(x => TenantKey.Compose(x.Tenant, x.Board)))
        {
            calls.Add(grains.GetGrain<ILeadBoardGrain>(board.Key).UpsertAsync([.. board.Select(x => x.Item3)]));
        }
        calls.AddRange(AttributionForwarding.Forward(grains, results, anonymousOrders));
        calls.AddRange(SegmentForwarding.Forward(grains, results.Where(r => r.Result.Segments is not null).Select(r => (r.Tenant, r.Result.Segments!))));
        calls.AddRange(results.Where(r => r.Result.Nurture.Count > 0).Select(r =>
            grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(r.Tenant, r.Result.Lead!.ProfileId)).ObserveAsync(r.Result.Nurture)));
        return Task.WhenAll(calls);
    }

    /// <summary>Hands the leads the profiles raised to their teams' routers, one call per team.</summary>
    private Task RaiseLeadsAsync((string Tenant, ApplyResult Result)[] results) =>
        Task.WhenAll(results
            .Where(r => r.Result.Raise is not null)
            .GroupBy(r => LeadRouterKey.For(r.Tenant, r.Result.Raise!.Team))
            .Select(g => grains.GetGrain<ILeadRouterGrain>(g.Key).RaiseAsync([.. g.Select(r => r.Result.Raise!)])));

    private sealed record PersonBatch(string Tenant, string ProfileId, List<CustomerEvent> Events);
}
