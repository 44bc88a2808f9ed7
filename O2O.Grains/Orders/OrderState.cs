using O2O.Grains.Events;

namespace O2O.Grains.Orders;

[GenerateSerializer, Alias("o2o.order-state")]
public sealed class OrderState
{
    [Id(0)] public OrderInfo? Order { get; set; }
    [Id(1)] public string? StoreId { get; set; }
    [Id(2)] public DateTimeOffset PlacedAt { get; set; }
    // The customer as pseudonyms (keyed hashes, as their identity grains are keyed), never in clear:
    // erasing a person leaves nothing of them in their orders.
    [Id(3)] public string? PhonePseudonym { get; set; }
    [Id(4)] public string? EmailPseudonym { get; set; }
    [Id(5)] public string? UserPseudonym { get; set; }
    [Id(6)] public List<OrderStatusChange> History { get; set; } = [];
    [Id(7)] public bool IdentifiedAtSale { get; set; }
    [Id(8)] public DateTimeOffset? IdentifiedAt { get; set; }
    [Id(10)] public OrderReview? Review { get; set; }
    [Id(11)] public DateTimeOffset? FirstScanAt { get; set; }
    /// <summary>The pseudonym of the phone proved with a one-time code on the bill page (the sale's own may be unknown).</summary>
    [Id(12)] public string? VerifiedPhonePseudonym { get; set; }
    /// <summary>What the bill page shows of the phone: <c>0938****xx</c>.</summary>
    [Id(13)] public string? MaskedPhone { get; set; }

}
