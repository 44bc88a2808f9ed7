using Orleans.Concurrency;

namespace O2O.Grains.Profiles;

/// <summary>
/// One customer profile. Key: <c>{tenant}/{profileId}</c>. Keeps identities, traits, a bounded
/// timeline, running totals, online touches, funnel stage and a decaying lead score.
/// </summary>
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies one person's events; ids already seen inside the dedup window count once. The result
    /// carries every change the aggregates have not acknowledged yet, even when all events were duplicates.
    /// </summary>
    Task<ApplyResult> ApplyAsync(EventBatch batch);

    /// <summary>
    /// A partition's checkpoint: writes what deferred batches changed (if the activation that applied
    /// them is still this one) and hands back what that partition must deliver to the aggregates.
    /// </summary>
    Task<Ingestion.Checkpoints.FlushResult> FlushAsync(Ingestion.Checkpoints.ProfileFlush flush);

    /// <summary>The aggregates hold these deliveries: the profile stops owing them.</summary>
    Task AcknowledgeAsync(IReadOnlyList<string> deliveryIds);

    /// <summary>The profile as people read it, or null when it has never seen an event.</summary>
    Task<ProfileView?> GetAsync();

    /// <summary>
    /// Where the person this profile names is now: here (with the identifiers it holds), merged into
    /// another profile, erased, or nowhere yet. The <see cref="Identity.IdentityResolver"/> asks an
    /// anonymous id's derived profile this instead of reading the id's identity row.
    /// </summary>
    Task<ProfileWhereabouts> LocateAsync();

    /// <summary>
    /// <see cref="LocateAsync"/> for the profile derived from the anonymous id whose identity grain key is
    /// <paramref name="identityKey"/> (<see cref="Identity.IdentityKey.DerivedProfileId"/>). When this
    /// profile knows nothing, the id's identity row answers instead, read from storage without
    /// activating its grain: erased when it is suppressed, merged into the profile it names when that
    /// is another (a row written before devices left forwarding notes). A new device then costs one
    /// activation, this one, which its first event goes to anyway.
    /// </summary>
    Task<ProfileWhereabouts> LocateDeviceAsync(string identityKey);

    /// <summary>
    /// Pulls an anonymous profile into this one and takes over its identifiers. False when the
    /// source is identified (and so stays a person of its own).
    /// </summary>
    /// <remarks>
    /// Holds this profile while it waits for the source: call it only on the profile whose id sorts
    /// first (<see cref="ProfileMerge"/>), else use <see cref="MergeIntoAsync"/> on the source. Two
    /// profiles pulling each other at once would each wait for the other until the call timed out.
    /// </remarks>
    Task<bool> MergeFromAsync(string sourceProfileId);

    /// <summary>
    /// The same merge driven from the source: this anonymous profile hands its history and
    /// identifiers to <paramref name="targetProfileId"/> and leaves a forwarding note. False when this
    /// profile is identified or merged elsewhere, or the target was merged away.
    /// </summary>
    Task<bool> MergeIntoAsync(string targetProfileId);

    /// <summary>
    /// Takes in a detached profile's history and identifiers (<see cref="MergeIntoAsync"/>).
    /// False, and nothing taken, when this profile was itself merged away. The state is not copied
    /// (<c>[Immutable]</c>): its profile leaves it behind for a forwarding note. A parameter Orleans must
    /// deep-copy also made every reference to a profile build that state's copiers by reflection, about
    /// 2 KB per reference on the ingest path (<c>HotPathTests</c>).
    /// </summary>
    Task<bool> AbsorbAsync(string sourceProfileId, [Immutable] ProfileState detached);

    /// <summary>
    /// Hands this profile's state to <paramref name="targetProfileId"/> and leaves a forwarding
    /// note behind. Returns null when this profile is identified: identified people never merge
    /// automatically.
    /// </summary>
    Task<ProfileState?> DetachIntoAsync(string targetProfileId);

    /// <summary>
    /// Forgets the person (right to erasure) everywhere: profile state cleared, identifiers put on the
    /// suppression list, every lead board and every team's router told, today's store visitor lists
    /// keep them as an anonymous visitor. Campaign, store and attribution counts keep the person only
    /// as a number. Returns the receipt, or null when there was nothing to erase.
    /// </summary>
    Task<Privacy.ErasureReceipt?> EraseAsync();

    /// <summary>Everything held about the person (right of access), or null for an unknown profile.</summary>
    Task<Privacy.SubjectExport?> ExportAsync();

    /// <summary>
    /// Corrects traits (right to rectification): a value replaces the trait, null removes it.
    /// Returns the profile as it now reads, or null for an unknown profile.
    /// </summary>
    Task<ProfileView?> CorrectTraitsAsync(IReadOnlyDictionary<string, string?> traits);

    /// <summary>Whether the person allows <paramref name="purpose"/> on <paramref name="channel"/> now.</summary>
    Task<Consent.ConsentDecision> CheckConsentAsync(Consent.ConsentPurpose purpose, Consent.ConsentChannel channel);

    /// <summary>
    /// The person's contact points and conversions in [<paramref name="from"/>, <paramref name="to"/>)
    /// for an ad-platform upload, or null when they do not allow sharing with ad platforms now.
    /// </summary>
    Task<AdExport.AdExportPerson?> GetAdConversionsAsync(DateTimeOffset from, DateTimeOffset to);

    /// <summary>
    /// Retention: deletes an anonymous profile idle longer than <c>O2O:Privacy:AnonymousRetention</c>
    /// and releases its identifiers. True when it was deleted.
    /// </summary>
    Task<bool> ExpireIfIdleAsync();

    /// <summary>
    /// Records what a consultant achieved with this person: moves the funnel and the score and
    /// adds it to the timeline. One-way: the team's router sends it and never waits for a profile,
    /// which may itself be waiting for the router (an erasure).
    /// </summary>
    [OneWay]
    Task RecordOutcomeAsync(Leads.LeadOutcome outcome, string? lostReason, string? storeId);

    /// <summary>The team's router closed this person's open lead: the next lead may go to any team.</summary>
    [OneWay]
    Task LeadClosedAsync(string team);

    /// <summary>Re-evaluates segments because time passed (the due wheel's <paramref name="bucket"/> is running).</summary>
    Task ReevaluateSegmentsAsync(long bucket);

    /// <summary>Name, addresses and fields a message to this person may use; null for an unknown profile.</summary>
    [AlwaysInterleave]
    Task<Journeys.MessageContact?> GetContactAsync();

    /// <summary>The person entered a journey: from now on their responses are reported to it.</summary>
    [OneWay]
    Task SetNurturedAsync();

    /// <summary>The person's journeys learned a new master channel.</summary>
    [OneWay]
    Task SetMasterChannelAsync(Journeys.MessageChannel channel);

    /// <summary>Restarts the funnel: the person shows high interest and goes back on the lead feed as a nurture lead.</summary>
    Task RaiseNurtureLeadAsync();
}

/// <summary>
/// What <see cref="ICustomerGrain.LocateAsync"/> answers. <see cref="Known"/> is false for a profile
/// that holds nothing, in storage or in memory (it never saw an event, or it expired).
/// <see cref="Identifiers"/> are those the profile holds while it is the person's own (neither merged nor erased):
/// each of them is owned by it, since an identifier leaves its profile only by a merge (which leaves
/// a forwarding note) or an erasure (which empties it).
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.profile-whereabouts")]
public sealed record ProfileWhereabouts(
    [property: Id(0)] bool Known,
    [property: Id(1)] string? MergedInto,
    [property: Id(2)] DateTimeOffset? ErasedAt,
    [property: Id(3)] Identity.Identifier[] Identifiers);
