namespace O2O.Grains.Events;

/// <summary>What kind of thing happened: the Segment call types plus the two offline ones.</summary>
public enum EventType : byte
{
    Track = 1,
    Identify = 2,
    Page = 3,
    Screen = 4,
    Alias = 5,
    CheckIn = 6,
    Order = 7,
    /// <summary>Segment <c>group</c>: the person belongs to an account or company (<see cref="CustomerEvent.GroupId"/>).</summary>
    Group = 8,
}

/// <summary>How a person was recognised in a store.</summary>
public enum CheckInMethod : byte
{
    Qr = 1,
    Wifi = 2,
    Pos = 3,
    Consultation = 4,
    ProductQr = 5,
}

/// <summary>Where an order was placed.</summary>
public enum OrderSource : byte
{
    Pos = 1,
    Web = 2,
    Marketplace = 3,
}

/// <summary>Where an order stands. Returned and cancelled orders take their revenue back.</summary>
public enum OrderStatus : byte
{
    Placed = 0,
    Paid = 1,
    Returned = 2,
    Cancelled = 3,
}

/// <summary>
/// One event in canonical form, after validation and normalisation at the edge: identifiers are
/// already normalised (phone in E.164, email lower-case) and money is whole VND.
/// This is what travels on the event feed and what grains apply.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.event")]
public sealed record CustomerEvent
{
    /// <summary>Client-supplied id; the same id applied twice counts once.</summary>
    [Id(0)] public required string MessageId { get; init; }
    /// <summary>The tenant that owns the write key the event came in with.</summary>
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required EventType Type { get; init; }
    /// <summary>Track event name (e.g. <c>Product Viewed</c>) or page/screen name.</summary>
    [Id(3)] public string? Name { get; init; }
    [Id(4)] public required DateTimeOffset Timestamp { get; init; }
    [Id(5)] public string? AnonymousId { get; init; }
    [Id(6)] public string? UserId { get; init; }
    [Id(7)] public string? Phone { get; init; }
    [Id(8)] public string? Email { get; init; }
    [Id(9)] public string? ZaloId { get; init; }
    /// <summary>For <see cref="EventType.Alias"/>: the identity being linked to <see cref="UserId"/>.</summary>
    [Id(10)] public string? PreviousId { get; init; }
    /// <summary>Traits about the person (name, gender, city, ...), flattened to strings.</summary>
    [Id(11)] public IReadOnlyDictionary<string, string>? Traits { get; init; }
    /// <summary>Page path (or screen name) for page views; product sku for product events.</summary>
    [Id(12)] public string? Path { get; init; }
    [Id(13)] public string? Category { get; init; }
    [Id(14)] public AdTouch? Touch { get; init; }
    [Id(15)] public string? StoreId { get; init; }
    [Id(16)] public CheckInMethod? CheckInMethod { get; init; }
    [Id(17)] public OrderInfo? Order { get; init; }
    /// <summary>Seconds spent on the page, when the tracker reports it.</summary>
    [Id(18)] public double? DurationSeconds { get; init; }
    /// <summary>Contact channel for contact events: chat, call, form, zalo.</summary>
    [Id(19)] public string? ContactChannel { get; init; }
    /// <summary>Product sku or id for product events.</summary>
    [Id(20)] public string? ProductId { get; init; }
    /// <summary>W3C trace parent of the request that accepted the event, so one trace spans the hops.</summary>
    [Id(21)] public string? TraceParent { get; init; }
    /// <summary>Consent the person gave or withdrew with this event (<c>context.consent</c>, <c>Consent Updated</c>).</summary>
    [Id(22)] public IReadOnlyList<Consent.ConsentChange>? Consents { get; init; }
    /// <summary>For <see cref="EventType.Group"/>: the account or company the person belongs to.</summary>
    [Id(40)] public string? GroupId { get; init; }
    /// <summary>For <see cref="EventType.Group"/>: traits of the account or company (name, industry, plan, ...).</summary>
    [Id(41)] public IReadOnlyDictionary<string, string>? GroupTraits { get; init; }
    /// <summary>
    /// Set by the order step for an order event it passes on: which version of the order this is and
    /// what it does, so a profile applies each version of an order once, however often it is retried.
    /// </summary>
    [Id(60)] public OrderStep? OrderStep { get; init; }

    /// <summary>
    /// The key that keeps one person's events in order on a partitioned feed: the device id first
    /// (one browser's events always share it), then the strongest known identifier.
    /// </summary>
    public string RoutingKey =>
        AnonymousId ?? UserId ?? Phone ?? Email ?? ZaloId ?? Order?.OrderId ?? MessageId;

    /// <summary>True when the event names no person at all (an anonymous POS order, say).</summary>
    public bool IsAnonymousOfflineOrder =>
        AnonymousId is null && UserId is null && Phone is null && Email is null && ZaloId is null;
}

/// <summary>An online touch: the UTM tags and click id the person arrived with.</summary>
[GenerateSerializer, Immutable, Alias("o2o.touch")]
public sealed record AdTouch
{
    [Id(0)] public string? Source { get; init; }
    [Id(1)] public string? Medium { get; init; }
    /// <summary>The campaign id (<c>utm_campaign</c>).</summary>
    [Id(2)] public string? Campaign { get; init; }
    [Id(3)] public string? Content { get; init; }
    [Id(4)] public string? Term { get; init; }
    /// <summary>Ad audience when the link carries it (<c>utm_audience</c>).</summary>
    [Id(5)] public string? Audience { get; init; }
    /// <summary>Which click id came with the visit: <c>fbclid</c>, <c>gclid</c> or <c>ttclid</c>.</summary>
    [Id(6)] public string? ClickIdType { get; init; }
    /// <summary>True for an ad view (impression) rather than a click or tagged visit.</summary>
    [Id(7)] public bool IsView { get; init; }
    /// <summary>The click id's value, for the ad platforms' offline conversion uploads.</summary>
    [Id(8)] public string? ClickId { get; init; }

    /// <summary>
    /// This touch holding the shared copies of its tags (<see cref="SharedStrings"/>), itself when it
    /// already does. The click id is the person's own and never repeats: kept as it is.
    /// </summary>
    public AdTouch Shared()
    {
        var (source, medium, campaign, content, term, audience, clickIdType) = (SharedStrings.Intern(Source), SharedStrings.Intern(Medium),
            SharedStrings.Intern(Campaign), SharedStrings.Intern(Content), SharedStrings.Intern(Term), SharedStrings.Intern(Audience),
            SharedStrings.Intern(ClickIdType));
        return ReferenceEquals(source, Source) && ReferenceEquals(medium, Medium) && ReferenceEquals(campaign, Campaign)
            && ReferenceEquals(content, Content) && ReferenceEquals(term, Term) && ReferenceEquals(audience, Audience)
            && ReferenceEquals(clickIdType, ClickIdType)
            ? this
            : this with { Source = source, Medium = medium, Campaign = campaign, Content = content, Term = term, Audience = audience, ClickIdType = clickIdType };
    }

    /// <summary>The campaign a report groups this touch under.</summary>
    public string CampaignKey => Campaign ?? $"({Source ?? ClickSource ?? "unknown"})";

    /// <summary>The ad platform implied by the click id when no utm_source was given.</summary>
    public string? ClickSource => ClickIdType switch
    {
        "fbclid" => "facebook",
        "gclid" => "google",
        "ttclid" => "tiktok",
        _ => null,
    };
}

/// <summary>An order as POS, web shop or marketplace reported it. Money is whole VND.</summary>
[GenerateSerializer, Immutable, Alias("o2o.order")]
public sealed record OrderInfo
{
    [Id(0)] public required string OrderId { get; init; }
    [Id(1)] public required OrderSource Source { get; init; }
    [Id(2)] public required long Total { get; init; }
    [Id(3)] public IReadOnlyList<OrderItem> Items { get; init; } = [];
    /// <summary>Customer name printed on the order, if any.</summary>
    [Id(4)] public string? CustomerName { get; init; }
    [Id(5)] public OrderStatus Status { get; init; }
    /// <summary>How it was paid (cash, card, transfer, cod, wallet), as the source system names it.</summary>
    [Id(6)] public string? PaymentMethod { get; init; }

    /// <summary>True when the order no longer counts: its revenue is taken back.</summary>
    public bool IsReversed => Status is OrderStatus.Returned or OrderStatus.Cancelled;
}

/// <summary>What a version of an order does to the person who placed it.</summary>
public enum OrderEffect : byte
{
    /// <summary>The order is new: it counts once, with its revenue.</summary>
    Sale = 1,
    /// <summary>Lines, totals, payment or customer changed: revenue follows the new total; the order still counts once.</summary>
    Change = 2,
    /// <summary>Returned or cancelled: what was counted is taken back.</summary>
    Reversal = 3,
}

/// <summary>The order grain's answer carried with the event: the order's version (1, 2, …) and its effect.</summary>
[GenerateSerializer, Immutable, Alias("o2o.order-step")]
public sealed record OrderStep(
    [property: Id(0)] int Version,
    [property: Id(1)] OrderEffect Effect);

[GenerateSerializer, Immutable, Alias("o2o.order-item")]
public sealed record OrderItem(
    [property: Id(0)] string Sku,
    [property: Id(1)] string? Name,
    [property: Id(2)] int Quantity,
    [property: Id(3)] long Price);
