using Orleans.Concurrency;

namespace O2O.Grains.Profiles;

/// <summary>
/// One customer profile. Key: <c>{tenant}/{profileId}</c>. Keeps identities, traits, a bounded
/// timeline, running totals, online touches, funnel stage and a decaying lead score.
/// </summary>
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>Applies one person's events; ids already seen inside the dedup window count once.</summary>
    Task<ApplyResult> ApplyAsync(EventBatch batch);

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
    /// adds it to the timeline. Returns the lead as it stands now, or null for an unknown profile.
    /// </summary>
    Task<LeadSnapshot?> RecordOutcomeAsync(Leads.LeadOutcome outcome, string? lostReason, string? storeId);

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
