using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Attribution;

/// <summary>
/// Turns a batch's apply results into one update per tenant and day for the attribution read
/// model: the event applier's share of attribution, kept here so the applier stays a router.
/// </summary>
public static class AttributionForwarding
{
    public static IEnumerable<Task> Forward(IGrainFactory grains, IEnumerable<(string Tenant, ApplyResult Result)> results, IEnumerable<CustomerEvent> anonymousOrders)
    {
        var days = new Dictionary<string, (List<ConversionCredits> Conversions, List<FunnelDelta> Funnel)>(StringComparer.Ordinal);
        (List<ConversionCredits>, List<FunnelDelta>) For(string tenant, DateTimeOffset at)
        {
            var key = ReportCalendar.Key(tenant, ReportCalendar.DayOf(at));
            if (!days.TryGetValue(key, out var lists))
            {
                days[key] = lists = ([], []);
            }
            return lists;
        }
        foreach (var (tenant, r) in results)
        {
            foreach (var c in r.Credits)
            {
                For(tenant, c.At).Item1.Add(c);
            }
            if (r.Funnel.Count > 0)
            {
                For(tenant, r.LatestEventAt).Item2.AddRange(r.Funnel);
            }
        }
        foreach (var e in anonymousOrders)
        {
            // Nobody is known, so no touch is: an anonymous sale counts as organic.
            var store = e.StoreId ?? "online";
            var lists = For(e.Tenant, e.Timestamp);
            if (e.Order!.IsReversed)
            {
                lists.Item1.Add(new ConversionCredits(ConversionKind.Purchase, e.Timestamp, store, e.Order.Total, [], Retracted: true));
                continue;
            }
            lists.Item1.Add(new ConversionCredits(ConversionKind.Purchase, e.Timestamp, store, e.Order.Total, []));
            if (e.StoreId is not null && e.CheckInMethod is null && e.Order.Source == OrderSource.Pos)
            {
                lists.Item1.Add(new ConversionCredits(ConversionKind.StoreVisit, e.Timestamp, store, 0, []));
            }
        }
        return days.Select(d => grains.GetGrain<IAttributionDayGrain>(d.Key).RecordAsync(new AttributionDayUpdate(d.Value.Conversions, d.Value.Funnel)));
    }
}
