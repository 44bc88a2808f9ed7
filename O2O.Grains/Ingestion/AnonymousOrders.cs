using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Ingestion;

/// <summary>
/// An order nobody can be named for still counts for its store and its day. It never reaches a
/// profile, so its delivery id comes from the event's message id: a replay delivers the same id.
/// </summary>
public static class AnonymousOrders
{
    public static OwedDelivery DeliveryOf(CustomerEvent e)
    {
        var order = e.Order!;
        var store = e.StoreId ?? "online";
        var id = $"{TenantKey.Compose(e.Tenant, "~anonymous")}#{e.MessageId}";
        if (order.IsReversed)
        {
            // A returned or cancelled sale takes its revenue back from the day it was credited to.
            return new OwedDelivery
            {
                Id = id,
                Credits = [new ConversionCredits(ConversionKind.Purchase, e.Timestamp, store, order.Total, [], Retracted: true)],
                LatestEventAt = e.Timestamp,
            };
        }
        // An anonymous POS sale is still a visit: somebody stood at the till.
        var visited = e.StoreId is not null && e.CheckInMethod is null && order.Source == OrderSource.Pos;
        // Nobody is known, so no touch is: an anonymous sale counts as organic.
        List<ConversionCredits> credits = [new(ConversionKind.Purchase, e.Timestamp, store, order.Total, [])];
        if (visited)
        {
            credits.Add(new ConversionCredits(ConversionKind.StoreVisit, e.Timestamp, store, 0, []));
        }
        return new OwedDelivery
        {
            Id = id,
            Orders = [new StoreOrder(store, order.OrderId, order.Source, order.Total, e.Timestamp, Identified: false)],
            Visits = visited ? [new StoreVisit(store, CheckInMethod.Pos, e.Timestamp, null)] : [],
            Credits = credits,
            LatestEventAt = e.Timestamp,
        };
    }
}
