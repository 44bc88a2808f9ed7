using O2O.Grains.Profiles;

namespace O2O.Grains.Stores;

[GenerateSerializer, Alias("o2o.store-state")]
public sealed class StoreState
{
    [Id(0)] public int Version { get; set; } = 1;
    /// <summary>Check-ins by <see cref="Events.CheckInMethod"/> (index = value - 1).</summary>
    [Id(1)] public long[] CheckIns { get; set; } = new long[5];
    /// <summary>Check-ins per hour, keyed by hours since the Unix epoch; 31 days are kept.</summary>
    [Id(2)] public Dictionary<long, int> Hourly { get; set; } = [];
    /// <summary>The local day <see cref="VisitorsToday"/> belongs to.</summary>
    [Id(3)] public DateOnly Today { get; set; }
    [Id(4)] public HashSet<string> VisitorsToday { get; set; } = [];
    [Id(5)] public long[] Funnel { get; set; } = new long[FunnelStages.Count];
    [Id(6)] public long[] PriorStage { get; set; } = new long[FunnelStages.Count + 1];
    [Id(7)] public long Orders { get; set; }
    [Id(8)] public long AnonymousOrders { get; set; }
    /// <summary>Revenue in VND by <see cref="Events.OrderSource"/> (index = value - 1).</summary>
    [Id(9)] public long[] Revenue { get; set; } = new long[3];
    /// <summary>Recent order ids, oldest first, so a re-sent POS order counts once.</summary>
    [Id(10)] public List<string> RecentOrderIds { get; set; } = [];
    /// <summary>Anonymous visitors counted today, for whom no profile id exists.</summary>
    [Id(11)] public int AnonymousVisitorsToday { get; set; }
    [Id(12)] public Ingestion.DeliveryLog Delivered { get; set; } = new();
}
