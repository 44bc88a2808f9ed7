using O2O.Grains.Events;

namespace O2O.Grains.Orders;

[GenerateSerializer, Alias("o2o.order-state")]
public sealed class OrderState
{
    [Id(0)] public OrderInfo? Order { get; set; }
    [Id(1)] public string? StoreId { get; set; }
    [Id(2)] public DateTimeOffset PlacedAt { get; set; }
    [Id(3)] public string? Phone { get; set; }
    [Id(4)] public string? Email { get; set; }
    [Id(5)] public string? UserId { get; set; }
    [Id(6)] public List<OrderStatusChange> History { get; set; } = [];
    [Id(7)] public bool IdentifiedAtSale { get; set; }
    [Id(8)] public DateTimeOffset? IdentifiedAt { get; set; }
    [Id(9)] public string? ProfileId { get; set; }
    [Id(10)] public OrderReview? Review { get; set; }
    [Id(11)] public DateTimeOffset? FirstScanAt { get; set; }
}
