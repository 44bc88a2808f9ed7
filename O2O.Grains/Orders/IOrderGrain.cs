using O2O.Grains.Events;

namespace O2O.Grains.Orders;

/// <summary>
/// One order as its POS, web shop or marketplace reported it, kept for good: lines, totals,
/// payment, status changes, the customer when known, and the review and points of the bill QR.
/// Key: <see cref="OrderKey"/> (<c>{tenant}/{order id}</c>), so the same order sent twice, by the
/// API or an import, is one grain and counts once.
/// </summary>
public interface IOrderGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the order; says whether anything changed and what.</summary>
    Task<OrderChange> UpsertAsync(OrderUpsert upsert);

    /// <summary>The order, or null when nobody has reported it.</summary>
    Task<OrderView?> GetAsync();

    /// <summary>
    /// Links the order to the person who proved a phone number on its bill page. Idempotent for
    /// the same phone; refused when another phone already claimed the order.
    /// </summary>
    Task<OrderIdentification> IdentifyAsync(string phonePseudonym, string maskedPhone, DateTimeOffset at);

    /// <summary>The pseudonyms of the customer's phone and email (their identity grains' keys); never the contact itself.</summary>
    Task<(string? PhonePseudonym, string? EmailPseudonym)> GetContactAsync();

    /// <summary>Keeps the shopper's review (1 to 5 stars); only the first review counts.</summary>
    Task<bool> ReviewAsync(OrderReview review);

    /// <summary>Records that the bill page was opened (for the scan → verified funnel); true the first time.</summary>
    Task<bool> ScannedAsync(DateTimeOffset at);
}

/// <summary>What a source system told us about an order.</summary>
[GenerateSerializer, Immutable, Alias("o2o.order-upsert")]
public sealed record OrderUpsert(
    [property: Id(0)] OrderInfo Order,
    [property: Id(1)] string? StoreId,
    [property: Id(2)] DateTimeOffset PlacedAt,
    [property: Id(3)] string? PhonePseudonym,
    [property: Id(4)] string? EmailPseudonym,
    [property: Id(5)] string? UserPseudonym,
    [property: Id(6)] string? MaskedPhone = null);

/// <summary>What an upsert changed.</summary>
public enum OrderChangeKind : byte
{
    /// <summary>First time this order id is seen.</summary>
    New = 1,
    /// <summary>Nothing new: a re-send or a re-import.</summary>
    Unchanged = 2,
    /// <summary>Lines, totals, payment or customer changed; the order still counts once.</summary>
    Updated = 3,
    /// <summary>It was returned or cancelled now: its revenue is taken back once.</summary>
    Reversed = 4,
}

[GenerateSerializer, Immutable, Alias("o2o.order-change")]
public sealed record OrderChange(
    [property: Id(0)] OrderChangeKind Kind,
    [property: Id(1)] bool IdentifiedAtSale);

[GenerateSerializer, Immutable, Alias("o2o.order-review")]
public sealed record OrderReview(
    [property: Id(0)] int Stars,
    [property: Id(1)] string? Comment,
    [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("o2o.order-status-change")]
public sealed record OrderStatusChange(
    [property: Id(0)] OrderStatus Status,
    [property: Id(1)] DateTimeOffset At);

/// <summary>The answer to <see cref="IOrderGrain.IdentifyAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("o2o.order-identification")]
public sealed record OrderIdentification(
    [property: Id(0)] bool Linked,
    [property: Id(1)] bool FirstTime,
    [property: Id(2)] string? Refusal,
    [property: Id(3)] OrderView? Order);

/// <summary>An order as the API and the bill page show it.</summary>
[GenerateSerializer, Immutable, Alias("o2o.order-view")]
public sealed record OrderView
{
    [Id(0)] public required string OrderId { get; init; }
    [Id(1)] public required OrderSource Source { get; init; }
    [Id(2)] public string? StoreId { get; init; }
    [Id(3)] public required DateTimeOffset PlacedAt { get; init; }
    [Id(4)] public required long Total { get; init; }
    [Id(5)] public required IReadOnlyList<OrderItem> Items { get; init; }
    [Id(6)] public required OrderStatus Status { get; init; }
    [Id(7)] public string? PaymentMethod { get; init; }
    [Id(8)] public required IReadOnlyList<OrderStatusChange> History { get; init; }
    /// <summary>True when the order names a customer (at the sale, or later through the bill QR).</summary>
    [Id(9)] public required bool Identified { get; init; }
    [Id(10)] public bool IdentifiedAtSale { get; init; }
    [Id(11)] public DateTimeOffset? IdentifiedAt { get; init; }
    [Id(13)] public OrderReview? Review { get; init; }
    /// <summary>The customer's phone, masked as staff see it (<c>090****567</c>); never the full number.</summary>
    [Id(14)] public string? MaskedPhone { get; init; }
    [Id(15)] public string? CustomerName { get; init; }
}
