using O2O.Grains.Ingestion;
using O2O.Grains.Profiles;

namespace O2O.Grains.Attribution;

/// <summary>
/// Turns owed deliveries into one call per tenant and day for the attribution read model: the event
/// applier's share of attribution, kept here so the applier stays a router. Each delivery keeps its
/// id, so a day grain applies it once however often it comes.
/// </summary>
public static class AttributionForwarding
{
    public static IEnumerable<Task> Forward(IGrainFactory grains, IEnumerable<(string Tenant, OwedDelivery Delivery)> deliveries)
    {
        var days = new Dictionary<string, List<AttributionDayUpdate>>(StringComparer.Ordinal);
        foreach (var (tenant, d) in deliveries)
        {
            var byDay = new Dictionary<string, (List<ConversionCredits> Conversions, List<FunnelDelta> Funnel)>(StringComparer.Ordinal);
            (List<ConversionCredits>, List<FunnelDelta>) For(DateTimeOffset at)
            {
                var key = ReportCalendar.Key(tenant, ReportCalendar.DayOf(at));
                if (!byDay.TryGetValue(key, out var lists))
                {
                    byDay[key] = lists = ([], []);
                }
                return lists;
            }
            foreach (var c in d.Credits)
            {
                For(c.At).Item1.Add(c);
            }
            if (d.Funnel.Count > 0)
            {
                For(d.LatestEventAt).Item2.AddRange(d.Funnel);
            }
            foreach (var (key, (conversions, funnel)) in byDay)
            {
                if (!days.TryGetValue(key, out var updates))
                {
                    days[key] = updates = [];
                }
                updates.Add(new AttributionDayUpdate(d.Id, conversions, funnel));
            }
        }
        return days.Select(d => grains.GetGrain<IAttributionDayGrain>(d.Key).RecordAsync(d.Value));
    }
}
