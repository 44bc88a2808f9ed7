using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

/// <summary>Why a lead was raised.</summary>
public enum LeadTrigger : byte
{
    /// <summary>The score crossed the hot threshold.</summary>
    HotScore = 0,
    /// <summary>The visitor reached out by chat, call or form.</summary>
    Contact = 1,
    /// <summary>An identified or previously scored person checked in at a store.</summary>
    StoreCheckIn = 2,
    /// <summary>A dormant high-value customer clicked a nurture message.</summary>
    NurtureClick = 3,
}

/// <summary>Where a lead is in its handling.</summary>
public enum LeadStatus : byte
{
    /// <summary>Nobody could take it yet: every consultant of the team is at their cap.</summary>
    Waiting = 0,
    /// <summary>Offered to one consultant; anyone of the team may still claim it.</summary>
    Offered = 1,
    /// <summary>Every consultant declined or let the SLA pass: the store manager has it.</summary>
    Escalated = 2,
    Claimed = 3,
    Closed = 4,
}

/// <summary>What a consultant reports after working a lead.</summary>
public enum LeadOutcome : byte
{
    Contacted = 0,
    AppointmentBooked = 1,
    VisitedStore = 2,
    Purchased = 3,
    Lost = 4,
}

/// <summary>A consultant's role in their team.</summary>
public enum ConsultantRole : byte
{
    Consultant = 0,
    Manager = 1,
}

/// <summary>What a customer grain asks its team's router to do for one person.</summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-request")]
public sealed record LeadRequest(
    [property: Id(0)] LeadSnapshot Snapshot,
    [property: Id(1)] LeadTrigger Trigger,
    [property: Id(2)] string Team,
    [property: Id(3)] LeadFacts Facts);

/// <summary>
/// What the profile says about the person when the lead is raised, read by the customer grain
/// itself so the router never waits on a profile while other leads queue behind it.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-facts")]
public sealed record LeadFacts(
    [property: Id(0)] FunnelStage Stage,
    [property: Id(1)] string? Interest,
    [property: Id(2)] string Segment,
    [property: Id(3)] LeadAd? LastAd,
    [property: Id(4)] IReadOnlyList<string> LastPages,
    [property: Id(5)] string? LastStoreId,
    [property: Id(6)] IReadOnlyList<Consent.ConsentChannel>? ContactConsent = null,
    [property: Id(7)] string? MasterChannel = null);

/// <summary>
/// A consultant as the hub knows them from their sign-in; <paramref name="MaxOpenLeads"/> is the
/// cap an admin set for them (null: <c>O2O:Leads:MaxOpenPerConsultant</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.consultant")]
public sealed record Consultant(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Team,
    [property: Id(3)] ConsultantRole Role,
    [property: Id(4)] int? MaxOpenLeads = null);

/// <summary>An online touch as a consultant reads it.</summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-ad")]
public sealed record LeadAd(
    [property: Id(0)] string Source,
    [property: Id(1)] string? Campaign,
    [property: Id(2)] string? Content,
    [property: Id(3)] DateTimeOffset At);

/// <summary>A suggested consultation script.</summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-script")]
public sealed record LeadScript([property: Id(0)] string Id, [property: Id(1)] string Text);

/// <summary>
/// Everything a consultant needs on the spot, as every alert carries it: who (name, masked phone),
/// how hot and why, where in the funnel, the last touches, the predicted interest and a script.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-card")]
public sealed record LeadCard
{
    [Id(0)] public required string LeadId { get; init; }
    [Id(1)] public required string ProfileId { get; init; }
    /// <summary>The store code whose consultants work this lead, or the online team.</summary>
    [Id(2)] public required string Team { get; init; }
    [Id(3)] public string? Name { get; init; }
    [Id(4)] public string? MaskedPhone { get; init; }
    [Id(5)] public int Score { get; init; }
    [Id(6)] public IReadOnlyList<ScoreReason> Reasons { get; init; } = [];
    [Id(7)] public FunnelStage Stage { get; init; }
    [Id(8)] public LeadTrigger Trigger { get; init; }
    [Id(9)] public LeadAd? LastAd { get; init; }
    [Id(10)] public IReadOnlyList<string> LastPages { get; init; } = [];
    [Id(11)] public string? LastStoreId { get; init; }
    [Id(12)] public string? Interest { get; init; }
    [Id(13)] public string Segment { get; init; } = "";
    [Id(14)] public LeadScript? Script { get; init; }
    [Id(15)] public LeadStatus Status { get; init; }
    [Id(16)] public string? OfferedTo { get; init; }
    [Id(17)] public DateTimeOffset? OfferExpiresAt { get; init; }
    [Id(18)] public string? ClaimedBy { get; init; }
    [Id(19)] public string? ClaimedByName { get; init; }
    [Id(20)] public LeadOutcome? Outcome { get; init; }
    [Id(21)] public string? LostReason { get; init; }
    [Id(22)] public required DateTimeOffset RaisedAt { get; init; }
    /// <summary>The channel that works best for this person, from their journeys.</summary>
    [Id(40)] public string? MasterChannel { get; init; }
    /// <summary>How many consultants it has been offered to, the current one included.</summary>
    [Id(23)] public int Offers { get; init; }
    /// <summary>Channels the person agreed to receive marketing on, as of the raise; empty means do not market to them.</summary>
    [Id(24)] public IReadOnlyList<Consent.ConsentChannel> ContactConsent { get; init; } = [];
    /// <summary>When the current offer started (its countdown runs to <see cref="OfferExpiresAt"/>).</summary>
    [Id(25)] public DateTimeOffset? OfferedAt { get; init; }
    [Id(26)] public DateTimeOffset? ClaimedAt { get; init; }
    /// <summary>The booked appointment, when the outcome is <see cref="LeadOutcome.AppointmentBooked"/>.</summary>
    [Id(27)] public DateTimeOffset? AppointmentAt { get; init; }
    /// <summary>Consultants' notes on this lead, oldest first.</summary>
    [Id(28)] public IReadOnlyList<LeadNote> Notes { get; init; } = [];
}

/// <summary>A consultant's note on a lead.</summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-note")]
public sealed record LeadNote(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ConsultantId,
    [property: Id(2)] string ConsultantName,
    [property: Id(3)] string Text);

/// <summary>
/// How one consultant of a team is doing, for the store manager: leads offered to them and held by
/// them now, claims in all, mean time from a lead being raised to their claim (null before the first),
/// offers to them that expired unclaimed, and the outcomes they recorded.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.consultant-stats")]
public sealed record ConsultantStats(
    [property: Id(0)] string ConsultantId,
    [property: Id(1)] string Name,
    [property: Id(2)] bool Online,
    [property: Id(3)] int Offered,
    [property: Id(4)] int Claimed,
    [property: Id(5)] int Claims,
    [property: Id(6)] TimeSpan? MeanResponse,
    [property: Id(7)] int SlaMisses,
    [property: Id(8)] IReadOnlyDictionary<LeadOutcome, int> Outcomes);

/// <summary>The kinds of alert the hub sends; the hub method name is the kind's name.</summary>
public enum LeadNoticeKind : byte
{
    LeadOffered = 0,
    LeadClaimed = 1,
    LeadReassigned = 2,
    LeadClosed = 3,
    LeadUpdated = 4,
}

/// <summary>One alert for one team of one tenant.</summary>
[GenerateSerializer, Immutable, Alias("o2o.lead-notice")]
public sealed record LeadNotice(
    [property: Id(0)] string Tenant,
    [property: Id(1)] LeadNoticeKind Kind,
    [property: Id(2)] LeadCard Lead);

/// <summary>The answer to a claim: the winner is named to everyone who lost.</summary>
[GenerateSerializer, Immutable, Alias("o2o.claim-result")]
public sealed record ClaimResult(
    [property: Id(0)] bool Won,
    [property: Id(1)] string? WinnerId,
    [property: Id(2)] string? WinnerName,
    [property: Id(3)] string? Error = null);
