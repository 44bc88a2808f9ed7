using O2O.Grains.Profiles;

namespace O2O.Grains.Attribution;

/// <summary>
/// The attribution read model of one tenant for one calendar day (Vietnam, UTC+7). Key:
/// <c>{tenant}/{yyyy-MM-dd}</c>. Holds credit per model and touch tags, conversions per store
/// (organic or not) and funnel moves per campaign, store and channel, so reports over a period
/// read one small grain per day and never a profile.
/// </summary>
public interface IAttributionDayGrain : IGrainWithStringKey
{
    /// <summary>Adds batches' conversions and funnel moves for this day; a delivery seen before changes nothing.</summary>
    Task RecordAsync(IReadOnlyList<AttributionDayUpdate> updates);

    /// <summary>
    /// This day's figures, with credit under <paramref name="model"/> grouped by <paramref name="by"/>,
    /// only for <paramref name="channel"/>, <paramref name="store"/> and <paramref name="campaign"/> when
    /// given (the store filter applies to the store conversions too).
    /// </summary>
    Task<DaySlice> GetAsync(AttributionModel model, TouchDimension by, string? channel = null, string? store = null, string? campaign = null);
}

/// <summary>The tag a report groups credit by.</summary>
public enum TouchDimension : byte
{
    Channel = 1,
    Campaign = 2,
    Content = 3,
    Audience = 4,
    /// <summary>The store the conversion happened at.</summary>
    Store = 5,
}

/// <summary>Where a funnel move happened: scope kinds a report can group by.</summary>
public enum FunnelScope : byte
{
    Campaign = 1,
    Store = 2,
    Channel = 3,
}

[GenerateSerializer, Immutable, Alias("o2o.attribution-day-update")]
public sealed record AttributionDayUpdate(
    [property: Id(2)] string DeliveryId,
    [property: Id(0)] IReadOnlyList<ConversionCredits> Conversions,
    [property: Id(1)] IReadOnlyList<FunnelDelta> Funnel);

/// <summary>Credit for one group: visits and purchases in millionths of a conversion, revenue in VND.</summary>
[GenerateSerializer, Immutable, Alias("o2o.credit-row")]
public sealed record CreditRow(
    [property: Id(0)] string Key,
    [property: Id(1)] long VisitCredit,
    [property: Id(2)] long PurchaseCredit,
    [property: Id(3)] long Revenue);

/// <summary>Conversions at one store: all of them and the organic ones (no touch in the window).</summary>
[GenerateSerializer, Immutable, Alias("o2o.store-conversions")]
public sealed record StoreConversions(
    [property: Id(0)] string StoreId,
    [property: Id(1)] long Visits,
    [property: Id(2)] long OrganicVisits,
    [property: Id(3)] long Purchases,
    [property: Id(4)] long OrganicPurchases,
    [property: Id(5)] long Revenue,
    [property: Id(6)] long OrganicRevenue);

/// <summary>People who reached each funnel stage in one scope (indexed like <see cref="FunnelStages.All"/>).</summary>
[GenerateSerializer, Immutable, Alias("o2o.funnel-counts")]
public sealed record FunnelCounts(
    [property: Id(0)] FunnelScope Scope,
    [property: Id(1)] string Id,
    [property: Id(2)] IReadOnlyList<long> Reached);

[GenerateSerializer, Immutable, Alias("o2o.day-slice")]
public sealed record DaySlice(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] IReadOnlyList<CreditRow> Credit,
    [property: Id(2)] IReadOnlyList<StoreConversions> Stores,
    [property: Id(3)] IReadOnlyList<FunnelCounts> Funnels,
    [property: Id(4)] IReadOnlyList<CreditRow> VisitCreditByChannel);

[GenerateSerializer, Alias("o2o.attribution-day-state")]
public sealed class AttributionDayState
{
    [Id(0)] public int Version { get; set; } = 1;
    /// <summary>[visit credit, purchase credit, revenue] keyed by <c>model|channel|campaign|content|audience|store</c> (older rows lack the store).</summary>
    [Id(1)] public Dictionary<string, long[]> Credit { get; set; } = [];
    /// <summary>[visits, organic visits, purchases, organic purchases, revenue, organic revenue] by store.</summary>
    [Id(2)] public Dictionary<string, long[]> Stores { get; set; } = [];
    /// <summary>Reached counts by scope key (<c>c:</c>, <c>s:</c>, <c>ch:</c> + id).</summary>
    [Id(3)] public Dictionary<string, long[]> Funnel { get; set; } = [];
    [Id(4)] public Ingestion.DeliveryLog Delivered { get; set; } = new();
}

/// <summary>The calendar reports use: Vietnam's day (UTC+7, no daylight saving).</summary>
public static class ReportCalendar
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Offset).DateTime);

    public static string Key(string tenant, DateOnly day) => TenantKey.Compose(tenant, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
}
