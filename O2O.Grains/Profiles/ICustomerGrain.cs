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

    /// <summary>The aggregates hold these deliveries: the profile stops owing them.</summary>
    Task AcknowledgeAsync(IReadOnlyList<string> deliveryIds);

    /// <summary>The profile as people read it, or null when it has never seen an event.</summary>
    Task<ProfileView?> GetAsync();

    /// <summary>
    /// Pulls an anonymous profile into this one and takes over its identifiers. False when the
    /// source is identified (and so stays a person of its own).
    /// </summary>
    Task<bool> MergeFromAsync(string sourceProfileId);

    /// <summary>
    /// Hands this profile's state to <paramref name="targetProfileId"/> and leaves a forwarding
    /// note behind. Returns null when this profile is identified: identified people never merge
    /// automatically.
    /// </summary>
    Task<ProfileState?> DetachIntoAsync(string targetProfileId);

    /// <summary>
    /// Forgets the person (right to erasure): state cleared, identifiers released, lead boards told.
    /// Campaign and store counts keep the person only as a number. False when there was nothing to erase.
    /// </summary>
    Task<bool> EraseAsync();

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
}
