using O2O.Grains.Attribution;
using O2O.Grains.Events;

namespace O2O.Grains.Profiles;

/// <summary>A batch of one person's events, in the order they happened to arrive.</summary>
[GenerateSerializer, Immutable, Alias("o2o.event-batch")]
public sealed record EventBatch([property: Id(0)] IReadOnlyList<CustomerEvent> Events);

/// <summary>
/// What applying a batch changed, for the campaign, store and lead grains to hear about.
/// The caller forwards these in bulk, so a hot campaign gets one call a batch, not one an event.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.apply-result")]
public sealed record ApplyResult
{
    [Id(0)] public int Applied { get; init; }
    [Id(1)] public int Duplicates { get; init; }
    /// <summary>The profile this one was merged into: apply there instead.</summary>
    [Id(2)] public string? RedirectTo { get; init; }
    [Id(3)] public IReadOnlyList<FunnelDelta> Funnel { get; init; } = [];
    [Id(4)] public IReadOnlyList<StoreVisit> Visits { get; init; } = [];
    [Id(5)] public IReadOnlyList<StoreOrder> Orders { get; init; } = [];
    [Id(6)] public LeadSnapshot? Lead { get; init; }
    /// <summary>The lead this batch raises (or refreshes) with the person's team router, if any.</summary>
    [Id(7)] public Leads.LeadRequest? Raise { get; init; }
    /// <summary>Each conversion (visit, purchase) in the batch with its credit under every attribution model.</summary>
    [Id(20)] public IReadOnlyList<ConversionCredits> Credits { get; init; } = [];
    /// <summary>When the newest applied event happened: the day the batch's funnel moves count on.</summary>
    [Id(21)] public DateTimeOffset LatestEventAt { get; init; }
    /// <summary>Segments the person entered or left with this batch.</summary>
    [Id(22)] public Segments.SegmentChange? Segments { get; init; }
    /// <summary>Responses for the person's journeys (only for people who have been in one).</summary>
    [Id(23)] public IReadOnlyList<Journeys.NurtureSignal> Nurture { get; init; } = [];

    public static ApplyResult Redirect(string profileId) => new() { RedirectTo = profileId };
}

/// <summary>
/// One person moved from <see cref="From"/> to <see cref="To"/> in a campaign (<c>c:id</c>) or
/// store (<c>s:id</c>) funnel. For campaigns, <see cref="Touch"/> is the first touch, for the
/// source/medium/content breakdown; for a store's first visit, <see cref="Prior"/> is how far the
/// person had come online before walking in.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.funnel-delta")]
public sealed record FunnelDelta(
    [property: Id(0)] string Scope,
    [property: Id(1)] FunnelStage From,
    [property: Id(2)] FunnelStage To,
    [property: Id(3)] AdTouch? Touch,
    [property: Id(4)] FunnelStage Prior);

[GenerateSerializer, Immutable, Alias("o2o.store-visit")]
public sealed record StoreVisit(
    [property: Id(0)] string StoreId,
    [property: Id(1)] CheckInMethod Method,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? ProfileId);

[GenerateSerializer, Immutable, Alias("o2o.store-order")]
public sealed record StoreOrder(
    [property: Id(0)] string StoreId,
    [property: Id(1)] string OrderId,
    [property: Id(2)] OrderSource Source,
    [property: Id(3)] long Total,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] bool Identified);

/// <summary>A lead as the hot-lead boards rank it.</summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-snapshot")]
public sealed record LeadSnapshot(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? Name,
    [property: Id(2)] string? MaskedPhone,
    [property: Id(3)] double RawScore,
    [property: Id(4)] DateTimeOffset AsOf,
    [property: Id(5)] FunnelStage Stage,
    [property: Id(6)] string? StoreId,
    [property: Id(7)] IReadOnlyList<ScoreReason> TopReasons);
