using O2O.Grains.Events;

namespace O2O.Grains.Profiles;

/// <summary>A batch of one person's events, in the order they happened to arrive.</summary>
[GenerateSerializer, Immutable, Alias("o2o.event-batch")]
public sealed record EventBatch([property: Id(0)] IReadOnlyList<CustomerEvent> Events)
{
    /// <summary>
    /// Applied in memory only: the state is written by the partition's next checkpoint
    /// (<see cref="ICustomerGrain.FlushAsync"/>) or when the activation ends, and what the batch owes
    /// the aggregates is delivered after that write. The event hub holds the events meanwhile.
    /// </summary>
    [Id(1)] public bool Deferred { get; init; }

    /// <summary>
    /// For a deferred batch: the activation that applied the partition's earlier batches for this
    /// profile since its last checkpoint (empty when none). Another activation means those batches
    /// were lost with it, and applying this one first would apply the person's events out of order (a
    /// visit before the ad click that earns its credit): the profile refuses it, and the partition
    /// replays them all in order from its committed offset.
    /// </summary>
    [Id(2)] public Guid ExpectedActivation { get; init; }
}

/// <summary>
/// What applying a batch did, and everything the profile still owes the campaign, store,
/// attribution and lead grains (this batch's changes and any earlier ones not yet acknowledged).
/// The caller delivers <see cref="Owed"/> in bulk, so a hot campaign gets one call a batch, not one
/// an event, then acknowledges it with <see cref="ICustomerGrain.AcknowledgeAsync"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.apply-result")]
public sealed record ApplyResult
{
    [Id(0)] public int Applied { get; init; }
    [Id(1)] public int Duplicates { get; init; }
    /// <summary>The profile this one was merged into: apply there instead.</summary>
    [Id(2)] public string? RedirectTo { get; init; }
    /// <summary>The person as the hot-lead boards rank them; null when nothing changed.</summary>
    [Id(6)] public LeadSnapshot? Lead { get; init; }
    /// <summary>Changes the aggregates have not acknowledged yet, oldest first.</summary>
    [Id(22)] public IReadOnlyList<Ingestion.OwedDelivery> Owed { get; init; } = [];
    /// <summary>
    /// Events held back, not applied, because the profile already owes the aggregates as much as it
    /// may (<see cref="ProfileOptions.MaxOwedDeliveries"/>): deliver <see cref="Owed"/>, then apply them again.
    /// </summary>
    [Id(23)] public int HeldBack { get; init; }
    /// <summary>For a deferred batch: the activation that holds the unwritten changes (a checkpoint checks it is still there).</summary>
    [Id(24)] public Guid Activation { get; init; }
    /// <summary>For a deferred batch: the lead it raises, sent at once (consultants do not wait for the checkpoint).</summary>
    [Id(25)] public Leads.LeadRequest? Raise { get; init; }
    /// <summary>For a deferred batch: refused, since the activation that applied the partition's earlier batches is gone (<see cref="EventBatch.ExpectedActivation"/>).</summary>
    [Id(26)] public bool Lost { get; init; }
    /// <summary>
    /// The person was erased, so nothing applied. A resolver still caching them placed the batch here
    /// (see <see cref="Identity.IdentityResolver.ErasedAsync"/>).
    /// </summary>
    [Id(27)] public bool Erased { get; init; }

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
