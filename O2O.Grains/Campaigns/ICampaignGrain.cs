using O2O.Grains.Profiles;

namespace O2O.Grains.Campaigns;

/// <summary>
/// One marketing campaign. Key: <c>{tenant}/{campaignId}</c> (the <c>utm_campaign</c>).
/// Counts unique profiles reaching each funnel step, by source, medium and content.
/// </summary>
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Records people moving along this campaign's funnel; a delivery seen before changes nothing.</summary>
    Task RecordAsync(IReadOnlyList<CampaignUpdate> updates);

    /// <summary>The funnel with conversion and drop-off per step, in total and by breakdown.</summary>
    Task<CampaignReport> GetReportAsync();
}

[GenerateSerializer, Alias("o2o.campaign-state")]
public sealed class CampaignState
{
    [Id(0)] public int Version { get; set; } = 1;
    /// <summary>Profiles that reached at least each stage, keyed by <c>source|medium|content</c>.</summary>
    [Id(1)] public Dictionary<string, long[]> Reached { get; set; } = [];
    [Id(2)] public Ingestion.DeliveryLog Delivered { get; set; } = new();
}

/// <summary>One profile's funnel moves in this campaign from one applied batch.</summary>
[GenerateSerializer, Immutable, Alias("o2o.campaign-update")]
public sealed record CampaignUpdate(
    [property: Id(0)] string DeliveryId,
    [property: Id(1)] IReadOnlyList<FunnelDelta> Deltas);

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
