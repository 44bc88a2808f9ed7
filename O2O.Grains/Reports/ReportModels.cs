using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;

namespace O2O.Grains.Reports;

/// <summary>A closed range of report days (Vietnam calendar).</summary>
public readonly record struct ReportPeriod(DateOnly From, DateOnly To)
{
    public const int MaximumDays = 366;

    public int Days => To.DayNumber - From.DayNumber + 1;

    public IEnumerable<DateOnly> Each() => Enumerable.Range(0, Days).Select(From.AddDays);
}

/// <summary>
/// What a report is narrowed to: one store (its conversions; spend is never split by store), one
/// channel (the conversions credited to it under the report's model, and its spend), one campaign.
/// </summary>
public sealed record ReportFilter(string? Store = null, string? Channel = null, string? Campaign = null)
{
    public static readonly ReportFilter None = new();

    public bool ByCredit => Channel is not null || Campaign is not null;
}

/// <summary>The figures the dashboard opens with.</summary>
public sealed record OverviewReport(
    ReportPeriod Period,
    long StoreVisits,
    long OnlineInfluencedVisits,
    double OnlineInfluencedVisitShare,
    long Purchases,
    long Revenue,
    long OnlineInfluencedRevenue,
    double OnlineInfluencedRevenueShare,
    long Spend,
    long? CostPerInfluencedVisit);

public sealed record FunnelRow(FunnelScope Scope, string Id, FunnelReport Funnel);

public sealed record FunnelTable(ReportPeriod Period, FunnelScope Scope, IReadOnlyList<FunnelRow> Rows);

/// <summary>Credit for one group under one model: visits and purchases as fractional conversions.</summary>
public sealed record AttributionRow(string Key, double Visits, double Purchases, long Revenue, double VisitShare);

public sealed record AttributionTable(
    ReportPeriod Period,
    AttributionModel Model,
    TouchDimension By,
    IReadOnlyList<AttributionRow> Rows,
    long OrganicVisits,
    long OrganicPurchases);

public sealed record SpendResultRow(string Channel, long Spend, double Visits, double Purchases, long Revenue, long? CostPerVisit, double? ReturnOnAdSpend);

public sealed record SpendDay(DateOnly Date, string Channel, long Spend, double Visits, long Revenue);

public sealed record SpendVsResults(ReportPeriod Period, AttributionModel Model, IReadOnlyList<SpendResultRow> Channels, IReadOnlyList<SpendDay> Daily);

public sealed record StoreRow(int Rank, string StoreId, long Visits, long OnlineInfluencedVisits, double OnlineInfluencedShare, long Purchases, long Revenue);

public sealed record StoreLeaderboard(ReportPeriod Period, IReadOnlyList<StoreRow> Stores);
