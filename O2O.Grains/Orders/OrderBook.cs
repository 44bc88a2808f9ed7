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
    /// <summary>
    /// The events to apply: those without an order, and orders that are new, updated or reversed (or
    /// whose change is not acknowledged yet), each carrying its <see cref="OrderStep"/>. Counts the
    /// master-data KPIs once per order version. Call <see cref="AcknowledgeAsync"/> when the batch is applied.
    /// </summary>
    public static async Task<OrderStepResult> KeepAsync(IGrainFactory grains, Pseudonyms pseudonyms, IReadOnlyList<CustomerEvent> events)
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
            return new OrderStepResult(events, []);
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
        var acknowledge = new List<(OrderKey, int)>();
        var kpis = new Dictionary<string, List<KpiDelivery>>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (changes[i] is not { } change)
            {
                kept.Add(e);
                continue;
            }
            var order = e.Order!;
            var day = ReportCalendar.DayOf(e.Timestamp);
            // One id per order version: a retried batch, whose orders answer with the same version, counts once.
            var deliveryId = $"order:{order.OrderId}@{change.Version}";
            if (change.Kind != OrderChangeKind.Unchanged)
            {
                acknowledge.Add((new OrderKey(e.Tenant, order.OrderId), change.Version));
            }
            switch (change.Kind)
            {
                case OrderChangeKind.New when order.IsReversed:
                    // Reported for the first time already returned: it never counted, so nothing to take back.
                    Count(kpis, e.Tenant, deliveryId, new KpiDelta(day, Kpi.Reversed, 1));
                    break;
                case OrderChangeKind.New:
                    kept.Add(e with { OrderStep = change.Step });
                    Count(kpis, e.Tenant, deliveryId, [
                        new KpiDelta(day, Kpi.Orders, 1),
                        .. order.Source == OrderSource.Pos ? [new KpiDelta(day, Kpi.OfflineOrders, 1)] : Array.Empty<KpiDelta>(),
                        .. order.Source == OrderSource.Pos && change.IdentifiedAtSale ? [new KpiDelta(day, Kpi.OfflineIdentifiedAtSale, 1)] : Array.Empty<KpiDelta>(),
                    ]);
                    break;
                case OrderChangeKind.Unchanged:
                    Count(kpis, e.Tenant, $"repeat:{order.OrderId}@{change.Version}:{e.MessageId}", new KpiDelta(day, Kpi.OrdersRepeated, 1));
                    break;
                case OrderChangeKind.Updated:
                    kept.Add(e with { OrderStep = change.Step });
                    break;
                case OrderChangeKind.Reversed:
                    // A message id of its own: whatever keys by message id must not take it for its sale.
                    kept.Add(e with { MessageId = $"{e.MessageId}:{order.Status}", OrderStep = change.Step });
                    Count(kpis, e.Tenant, deliveryId, new KpiDelta(day, Kpi.Reversed, 1));
                    break;
            }
        }
        await Task.WhenAll(kpis.Select(t => grains.GetGrain<IMasterDataKpiGrain>(t.Key).AddAsync(t.Value)));
        return new OrderStepResult(kept, acknowledge);
    }

    /// <summary>Tells each order its change reached everything downstream, so a later re-send of the same content stops at the order.</summary>
    public static Task AcknowledgeAsync(IGrainFactory grains, OrderStepResult step) =>
        Task.WhenAll(step.Changes.Select(c => c.Order.In(grains).AcknowledgeAsync(c.Version)));

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

    private static void Count(Dictionary<string, List<KpiDelivery>> kpis, string tenant, string deliveryId, params KpiDelta[] deltas)
    {
        if (!kpis.TryGetValue(tenant, out var list))
        {
            kpis[tenant] = list = [];
        }
        list.Add(new KpiDelivery(deliveryId, deltas));
    }
}

/// <summary>What the order step passes on, and the order versions to acknowledge once the batch is applied.</summary>
public sealed record OrderStepResult(IReadOnlyList<CustomerEvent> Events, IReadOnlyList<(OrderKey Order, int Version)> Changes);
