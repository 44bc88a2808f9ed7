using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.MasterData;
using O2O.Grains.Privacy;

namespace O2O.Grains.Orders;

/// <summary>
/// The event applier's order step: every event that carries an order is first kept in its
/// <see cref="IOrderGrain"/>, and only what is news goes on to profiles, stores and reports. A
/// re-sent or re-imported order stops here, so order counts and revenue never double; a return or
/// cancellation goes on once, marked so that the profile and the reports take the revenue back.
/// </summary>
public static class OrderBook
{
    /// <summary>The events to apply: those without an order, and orders that are new, updated or reversed now.</summary>
    public static async Task<IReadOnlyList<CustomerEvent>> KeepAsync(IGrainFactory grains, Pseudonyms pseudonyms, IReadOnlyList<CustomerEvent> events)
    {
        List<int>? withOrder = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Order is not null)
            {
                (withOrder ??= []).Add(i);
            }
        }
        if (withOrder is null)
        {
            return events;
        }

        var changes = new OrderChange?[events.Count];
        // The same order twice in one batch is applied in batch order; different orders in parallel.
        await Task.WhenAll(withOrder.GroupBy(i => new OrderKey(events[i].Tenant, events[i].Order!.OrderId)).Select(async g =>
        {
            var grain = g.Key.In(grains);
            foreach (var i in g)
            {
                var e = events[i];
                changes[i] = await grain.UpsertAsync(UpsertOf(e, pseudonyms));
            }
        }));

        var kept = new List<CustomerEvent>(events.Count);
        var kpis = new Dictionary<(string Tenant, DateOnly Day, Kpi Kpi), long>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (changes[i] is not { } change)
            {
                kept.Add(e);
                continue;
            }
            var day = ReportCalendar.DayOf(e.Timestamp);
            switch (change.Kind)
            {
                case OrderChangeKind.New when e.Order!.IsReversed:
                    // Reported for the first time already returned: it never counted, so nothing to take back.
                    Count(kpis, e.Tenant, day, Kpi.Reversed);
                    break;
                case OrderChangeKind.New:
                    kept.Add(e);
                    Count(kpis, e.Tenant, day, Kpi.Orders);
                    if (e.Order.Source == OrderSource.Pos)
                    {
                        Count(kpis, e.Tenant, day, Kpi.OfflineOrders);
                        if (change.IdentifiedAtSale)
                        {
                            Count(kpis, e.Tenant, day, Kpi.OfflineIdentifiedAtSale);
                        }
                    }
                    break;
                case OrderChangeKind.Unchanged:
                    Count(kpis, e.Tenant, day, Kpi.OrdersRepeated);
                    break;
                case OrderChangeKind.Updated:
                    kept.Add(e);
                    break;
                case OrderChangeKind.Reversed:
                    // A new message id: the profile has already seen the sale's and must apply the reversal.
                    kept.Add(e with { MessageId = $"{e.MessageId}:{e.Order!.Status}" });
                    Count(kpis, e.Tenant, day, Kpi.Reversed);
                    break;
            }
        }
        await Task.WhenAll(kpis.GroupBy(k => k.Key.Tenant).Select(t =>
            grains.GetGrain<IMasterDataKpiGrain>(t.Key).AddAsync([.. t.Select(k => new KpiDelta(k.Key.Day, k.Key.Kpi, k.Value))])));
        return kept;
    }

    /// <summary>
    /// What the order keeps of a report: no name and no contact in clear, only their pseudonyms (the keys
    /// of the person's identity grains) and the masked phone the bill page shows.
    /// </summary>
    private static OrderUpsert UpsertOf(CustomerEvent e, Pseudonyms pseudonyms) => new(
        e.Order! with { CustomerName = null },
        e.StoreId,
        e.Timestamp,
        e.Phone is { } phone ? pseudonyms.Of(e.Tenant, new Identifier(IdentifierKind.Phone, phone).ToString()) : null,
        e.Email is { } email ? pseudonyms.Of(e.Tenant, new Identifier(IdentifierKind.Email, email).ToString()) : null,
        e.UserId is { } user ? pseudonyms.Of(e.Tenant, new Identifier(IdentifierKind.UserId, user).ToString()) : null,
        e.Phone is null ? null : ContactPoints.MaskPhone(e.Phone));

    private static void Count(Dictionary<(string, DateOnly, Kpi), long> kpis, string tenant, DateOnly day, Kpi kpi) =>
        kpis[(tenant, day, kpi)] = kpis.GetValueOrDefault((tenant, day, kpi)) + 1;
}
