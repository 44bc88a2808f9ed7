using O2O.Grains.Profiles;

namespace O2O.Grains.Campaigns;

/// <summary>
/// One marketing campaign. Key: <c>{tenant}/{campaignId}</c> (the <c>utm_campaign</c>).
/// Counts unique profiles reaching each funnel step, by source, medium and content.
/// </summary>
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Records people moving along this campaign's funnel.</summary>
    Task RecordAsync(IReadOnlyList<FunnelDelta> deltas);

    /// <summary>The funnel with conversion and drop-off per step, in total and by breakdown.</summary>
    Task<CampaignReport> GetReportAsync();
}

[GenerateSerializer, Alias("o2o.campaign-state")]
public sealed class CampaignState
{
    [Id(0)] public int Version { get; set; } = 1;
    /// <summary>Profiles that reached at least each stage, keyed by <c>source|medium|content</c>.</summary>
    [Id(1)] public Dictionary<string, long[]> Reached { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("o2o.campaign-report")]
public sealed record CampaignReport(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] FunnelReport Total,
    [property: Id(2)] IReadOnlyList<CampaignBreakdown> Breakdown);

[GenerateSerializer, Immutable, Alias("o2o.campaign-breakdown")]
public sealed record CampaignBreakdown(
    [property: Id(0)] string? Source,
    [property: Id(1)] string? Medium,
    [property: Id(2)] string? Content,
    [property: Id(3)] FunnelReport Funnel);
