using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Stores;

/// <summary>
/// One physical store. Key: <c>{tenant}/{storeCode}</c>. Counts check-ins by method, visitors today
/// and over rolling windows, orders, and the funnel of people who walked in.
/// </summary>
public interface IStoreGrain : IGrainWithStringKey
{
    /// <summary>Records what batches of events did at this store; a delivery seen before changes nothing.</summary>
    Task RecordAsync(IReadOnlyList<StoreUpdate> updates);

    /// <summary>
    /// Erasure: today's visitor list keeps the person only as an anonymous visitor, so the count stays.
    /// True when the person was on the list.
    /// </summary>
    Task<bool> ForgetVisitorAsync(string profileId);

    /// <summary>The store's figures as of now.</summary>
    Task<StoreReport> GetReportAsync();
}

[GenerateSerializer, Immutable, Alias("o2o.store-update")]
public sealed record StoreUpdate(
    [property: Id(3)] string DeliveryId,
    [property: Id(0)] IReadOnlyList<StoreVisit> Visits,
    [property: Id(1)] IReadOnlyList<StoreOrder> Orders,
    [property: Id(2)] IReadOnlyList<FunnelDelta> Funnel);

[GenerateSerializer, Immutable, Alias("o2o.store-report")]
public sealed record StoreReport
{
    [Id(0)] public required string StoreId { get; init; }
    [Id(1)] public required IReadOnlyDictionary<CheckInMethod, long> CheckInsByMethod { get; init; }
    [Id(2)] public required long CheckIns { get; init; }
    [Id(3)] public required int VisitorsToday { get; init; }
    [Id(4)] public required long VisitsLastHour { get; init; }
    [Id(5)] public required long VisitsLast24Hours { get; init; }
    [Id(6)] public required long VisitsLast7Days { get; init; }
    [Id(7)] public required long VisitsLast30Days { get; init; }
    /// <summary>Unique visitors who reached each stage from their visit on (StoreVisited, Purchased).</summary>
    [Id(8)] public required IReadOnlyDictionary<FunnelStage, long> Funnel { get; init; }
    /// <summary>How far unique visitors had come online before their first visit (None = walked in cold).</summary>
    [Id(9)] public required IReadOnlyDictionary<FunnelStage, long> VisitorsByPriorStage { get; init; }
    [Id(10)] public required long Orders { get; init; }
    [Id(11)] public required long AnonymousOrders { get; init; }
    [Id(12)] public required long Revenue { get; init; }
    [Id(13)] public required IReadOnlyDictionary<OrderSource, long> RevenueBySource { get; init; }
}
