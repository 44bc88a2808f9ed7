using O2O.Grains.Events;
using O2O.Grains.Identity;

namespace O2O.Grains.Profiles;

/// <summary>
/// Everything a customer grain keeps about one person. Version 2: the timeline is a list of
/// <see cref="Touchpoint"/> values (version 1 kept an object per entry, <see cref="LegacyTouchpoint"/>);
/// a version 1 state is brought up to date as it is read (<see cref="LegacyTimeline"/>).
/// </summary>
[GenerateSerializer, Alias("o2o.profile-state")]
public sealed class ProfileState
{
    public const int CurrentVersion = 2;

    /// <summary>State schema version, so later releases can migrate what they read.</summary>
    [Id(0)] public int Version { get; set; } = CurrentVersion;
    [Id(1)] public List<Identifier> Identifiers { get; set; } = [];
    [Id(2)] public Dictionary<string, string> Traits { get; set; } = [];
    /// <summary>
    /// Version 1's timeline (an object per entry), only ever read: what a stored version 1 state holds
    /// here moves into <see cref="Timeline"/> as the state is read, so nothing is kept and this reads null.
    /// </summary>
    [Id(3)]
    public List<LegacyTouchpoint>? LegacyTimeline
    {
        get => null;
        set
        {
            if (value is not null)
            {
                Timeline.InsertRange(0, value.Select(p => p.ToTouchpoint().Shared()));
                Version = CurrentVersion;
            }
        }
    }

    /// <summary>Most recent touchpoints, oldest first, bounded by <see cref="ProfileOptions.TimelineSize"/>.</summary>
    [Id(80)] public List<Touchpoint> Timeline { get; set; } = [];
    [Id(4)] public ProfileTotals Totals { get; set; } = new();
    /// <summary>Online touches (UTM tags, click ids), oldest first, bounded by <see cref="ProfileOptions.TouchesSize"/>.</summary>
    [Id(5)] public List<TouchRecord> Touches { get; set; } = [];
    /// <summary>When each funnel stage was first reached, indexed by <see cref="FunnelStages.IndexOf"/>.</summary>
    [Id(6)] public DateTimeOffset?[] StageTimes { get; set; } = new DateTimeOffset?[FunnelStages.Count];
    [Id(7)] public ScoreCard Score { get; set; } = new();
    [Id(8)] public DedupWindow Seen { get; set; } = new();
    /// <summary>The furthest stage already reported to each campaign (<c>c:</c>) and store (<c>s:</c>) funnel.</summary>
    [Id(9)] public Dictionary<string, FunnelStage> Reported { get; set; } = [];
    /// <summary>Set when this profile was merged into another: events and reads go there.</summary>
    [Id(10)] public string? MergedInto { get; set; }
    /// <summary>The profiles merged into this one, by their first identifier; null until one is (most never are).</summary>
    [field: NonSerialized] public List<string>? MergedFrom { get; set; }

    /// <summary>Stored as an empty list, not null, so that a silo of an earlier release can read it.</summary>
    [Id(11)]
    internal List<string> StoredMergedFrom
    {
        get => MergedFrom ?? [];
        set => MergedFrom = value is { Count: > 0 } ? value : null;
    }
    [Id(12)] public string? LastStoreId { get; set; }
    /// <summary>The team whose router holds this person's open lead, if one is open.</summary>
    [Id(13)] public string? LeadTeam { get; set; }
    /// <summary>Changes applied here that the aggregates have not acknowledged yet, oldest first.</summary>
    [Id(14)] public List<Ingestion.OwedDelivery> Outbox { get; set; } = [];
    /// <summary>The sequence number of the last delivery this profile created.</summary>
    [Id(15)] public long OutboxSequence { get; set; }
    /// <summary>Set when the person was erased: nothing else is kept, and no event is applied again.</summary>
    [Id(16)] public DateTimeOffset? ErasedAt { get; set; }
    /// <summary>Every consent the person gave or withdrew.</summary>
    [Id(17)] public Consent.ConsentLedger Consents { get; set; } = new();
    /// <summary>Store visits and purchases with their click ids, newest last, for ad platforms' offline conversions; null until the first.</summary>
    [field: NonSerialized] public List<AdExport.ConversionRecord>? Conversions { get; set; }

    /// <summary>Stored as an empty list, not null, so that a silo of an earlier release can read it.</summary>
    [Id(18)]
    internal List<AdExport.ConversionRecord> StoredConversions
    {
        get => Conversions ?? [];
        set => Conversions = value is { Count: > 0 } ? value : null;
    }
    /// <summary>The day index an anonymous profile is listed under for the retention sweep.</summary>
    [Id(19)] public DateOnly? RetentionDay { get; set; }
    /// <summary>
    /// Accounts or companies the person belongs to (Segment <c>group</c>), with their traits, by group id; null
    /// until the first (a shop's customers seldom have one).
    /// </summary>
    [field: NonSerialized] public Dictionary<string, Dictionary<string, string>>? Groups { get; set; }

    /// <summary>Stored as an empty dictionary, not null, so that a silo of an earlier release can read it.</summary>
    [Id(40)]
    internal Dictionary<string, Dictionary<string, string>> StoredGroups
    {
        get => Groups ?? [];
        set => Groups = value is { Count: > 0 } ? value : null;
    }
    /// <summary>
    /// Each order applied here, by order id: its version and the total counted, so every version of an
    /// order is applied once (see <see cref="ProfileOrders"/>). Null until the person has an order.
    /// </summary>
    [Id(60)] public Dictionary<string, OrderMark>? OrderMarks { get; set; }
    /// <summary>Segments and journeys: facts the segment rules read, the master channel, journey membership.</summary>
    [Id(70)] public Segments.ProfileNurture Nurture { get; set; } = new();

    public FunnelStage Stage
    {
        get
        {
            for (var i = StageTimes.Length - 1; i >= 0; i--)
            {
                if (StageTimes[i] is not null)
                {
                    return FunnelStages.All[i];
                }
            }
            return FunnelStage.None;
        }
    }

    public bool IsIdentified => Identifiers.Exists(i => i.IsStrong);

    public string? Phone => Identifiers.Find(i => i.Kind == IdentifierKind.Phone).Value;

    public string? Email => Identifiers.Find(i => i.Kind == IdentifierKind.Email).Value;

    public string? DisplayName => Traits.GetValueOrDefault("name");
}

[GenerateSerializer, Alias("o2o.profile-totals")]
public sealed class ProfileTotals
{
    [Id(0)] public int PageViews { get; set; }
    [Id(1)] public int ProductViews { get; set; }
    [Id(2)] public double SecondsOnSite { get; set; }
    [Id(3)] public int Contacts { get; set; }
    [Id(4)] public int StoreVisits { get; set; }
    [Id(5)] public int Orders { get; set; }
    /// <summary>Revenue in whole VND.</summary>
    [Id(6)] public long Revenue { get; set; }
    [Id(7)] public DateTimeOffset? FirstSeen { get; set; }
    [Id(8)] public DateTimeOffset? LastSeen { get; set; }
    [Id(9)] public int Events { get; set; }
}

/// <summary>What a profile counted of one order: the version applied last and the total counted (0 once reversed).</summary>
[GenerateSerializer, Immutable, Alias("o2o.order-mark")]
public sealed record OrderMark(
    [property: Id(0)] int Version,
    [property: Id(1)] long Total,
    [property: Id(2)] bool Reversed);

/// <summary>
/// One entry of the timeline: what happened, when, and where. A value of 48 bytes in the timeline's
/// array, with no object of its own; its strings are the shared copies (<see cref="SharedStrings"/>).
/// The time is kept as UTC ticks and the sender's offset: 10 bytes where a <see cref="DateTimeOffset"/>
/// takes 16, and on the wire one number where Orleans writes a DateTimeOffset as a nested object.
/// </summary>
[GenerateSerializer(IncludePrimaryConstructorParameters = false), Immutable, Alias("o2o.touchpoint.v2")]
public readonly record struct Touchpoint
{
    [Id(0)] private readonly long _utcTicks;
    [Id(1)] private readonly short _offsetMinutes;

    public Touchpoint(DateTimeOffset timestamp, EventType type, string? name, string? detail, string? campaign, string? storeId)
    {
        Timestamp = timestamp;
        Type = type;
        Name = name;
        Detail = detail;
        Campaign = campaign;
        StoreId = storeId;
    }

    public DateTimeOffset Timestamp
    {
        get => new(_utcTicks + _offsetMinutes * TimeSpan.TicksPerMinute, TimeSpan.FromMinutes(_offsetMinutes));
        init => (_utcTicks, _offsetMinutes) = (value.UtcTicks, (short)value.TotalOffsetMinutes);
    }

    [Id(2)] public EventType Type { get; init; }
    [Id(3)] public string? Name { get; init; }
    [Id(4)] public string? Detail { get; init; }
    [Id(5)] public string? Campaign { get; init; }
    [Id(6)] public string? StoreId { get; init; }

    /// <summary>This entry with its strings' shared copies. An order's detail is its order id, which never repeats: kept as it is.</summary>
    public Touchpoint Shared() => new(
        Timestamp,
        Type,
        SharedStrings.Intern(Name),
        IsOrder ? Detail : SharedStrings.Intern(Detail),
        SharedStrings.Intern(Campaign),
        SharedStrings.Intern(StoreId));

    /// <summary>An offline order or a web shop's <c>Order Completed</c>: <see cref="Detail"/> holds the order id.</summary>
    private bool IsOrder => Type == EventType.Order || SegmentEvents.Is(Name, SegmentEvents.OrderCompleted);
}

/// <summary>A timeline entry as version 1 stored it (one object each). Only read, to move into <see cref="ProfileState.Timeline"/>.</summary>
[GenerateSerializer, Immutable, Alias("o2o.touchpoint")]
public sealed record LegacyTouchpoint(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] EventType Type,
    [property: Id(2)] string? Name,
    [property: Id(3)] string? Detail,
    [property: Id(4)] string? Campaign,
    [property: Id(5)] string? StoreId)
{
    public Touchpoint ToTouchpoint() => new(Timestamp, Type, Name, Detail, Campaign, StoreId);
}

/// <summary>An online touch as the person received it.</summary>
[GenerateSerializer, Immutable, Alias("o2o.touch-record")]
public sealed record TouchRecord(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] AdTouch Touch);
