namespace O2O.Grains.MasterData;

/// <summary>
/// The master-data KPIs of one tenant, by Vietnam calendar day: offline orders and how many are
/// identified, the bill QR funnel, messages and their cost, referrals. Key: the tenant.
/// Written once per applied batch or per shopper action, so one grain per tenant keeps up.
/// </summary>
public interface IMasterDataKpiGrain : IGrainWithStringKey
{
    /// <summary>Adds counts.</summary>
    Task AddAsync(IReadOnlyList<KpiDelta> deltas);

    /// <summary>Every counter by day from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    Task<KpiReport> GetAsync(DateOnly from, DateOnly to);
}

/// <summary>What the master-data panel counts.</summary>
public enum Kpi : byte
{
    /// <summary>New POS orders, by the day they were placed.</summary>
    OfflineOrders = 0,
    /// <summary>POS orders that named the customer at the till.</summary>
    OfflineIdentifiedAtSale = 1,
    /// <summary>POS orders identified afterwards through the bill QR and a one-time code (counted on the order's day).</summary>
    OfflineIdentifiedLater = 2,
    /// <summary>Orders of any source, new.</summary>
    Orders = 3,
    /// <summary>Orders returned or cancelled.</summary>
    Reversed = 4,
    /// <summary>Bill pages opened for the first time.</summary>
    BillScans = 5,
    OtpSent = 6,
    OtpVerified = 7,
    MessagesSent = 8,
    MessagesDelivered = 9,
    MessagesFailed = 10,
    MessagesClicked = 11,
    /// <summary>What the providers charge, in VND.</summary>
    MessageCost = 12,
    ReferralsSent = 13,
    ReferralsRedeemed = 14,
    /// <summary>Revenue of orders that redeemed a referral voucher, in VND.</summary>
    ReferralRevenue = 15,
    PointsEarned = 16,
    PointsRedeemed = 17,
    /// <summary>Order reports that changed nothing (a re-send or a re-import), by the order's day.</summary>
    OrdersRepeated = 18,
}

[GenerateSerializer, Immutable, Alias("o2o.kpi-delta")]
public sealed record KpiDelta(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] Kpi Kpi,
    [property: Id(2)] long Amount);

/// <summary>Counters of one day, indexed by <see cref="Kpi"/>.</summary>
[GenerateSerializer, Immutable, Alias("o2o.kpi-day")]
public sealed record KpiDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] IReadOnlyList<long> Counts)
{
    public long this[Kpi kpi] => (int)kpi < Counts.Count ? Counts[(int)kpi] : 0;
}

[GenerateSerializer, Immutable, Alias("o2o.kpi-report")]
public sealed record KpiReport(
    [property: Id(0)] IReadOnlyList<KpiDay> Days,
    [property: Id(1)] IReadOnlyList<long> Totals)
{
    public long Total(Kpi kpi) => (int)kpi < Totals.Count ? Totals[(int)kpi] : 0;

    /// <summary>Share of offline orders that name their customer, at the till or later (0 to 1).</summary>
    public double IdentifiedShare => Total(Kpi.OfflineOrders) == 0 ? 0
        : (double)(Total(Kpi.OfflineIdentifiedAtSale) + Total(Kpi.OfflineIdentifiedLater)) / Total(Kpi.OfflineOrders);
}

[GenerateSerializer, Alias("o2o.kpi-state")]
public sealed class KpiState
{
    [Id(0)] public Dictionary<DateOnly, long[]> Days { get; set; } = [];
}
