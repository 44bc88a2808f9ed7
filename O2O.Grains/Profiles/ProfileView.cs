namespace O2O.Grains.Profiles;

/// <summary>The profile document the API answers with.</summary>
[GenerateSerializer, Immutable, Alias("o2o.profile-view")]
public sealed record ProfileView
{
    [Id(0)] public required string ProfileId { get; init; }
    [Id(1)] public required IReadOnlyList<string> Identities { get; init; }
    [Id(2)] public required IReadOnlyDictionary<string, string> Traits { get; init; }
    [Id(3)] public required FunnelStage Stage { get; init; }
    [Id(4)] public required IReadOnlyDictionary<FunnelStage, DateTimeOffset> StageTimes { get; init; }
    [Id(5)] public FunnelStage? DroppedOffAt { get; init; }
    [Id(6)] public required int LeadScore { get; init; }
    [Id(7)] public required bool IsHot { get; init; }
    [Id(8)] public required IReadOnlyList<ScoreReason> ScoreReasons { get; init; }
    [Id(9)] public required ProfileTotalsView Totals { get; init; }
    [Id(10)] public required IReadOnlyList<TouchRecord> OnlineTouches { get; init; }
    [Id(11)] public required IReadOnlyList<Touchpoint> Timeline { get; init; }
    [Id(12)] public IReadOnlyList<string> MergedFrom { get; init; } = [];
    [Id(13)] public string? LastStoreId { get; init; }
    [Id(14)] public bool Identified { get; init; }
    /// <summary>Accounts or companies the person belongs to, with their traits, by group id.</summary>
    [Id(40)] public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Groups { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();
    /// <summary>Segment slugs the person is in now.</summary>
    [Id(41)] public IReadOnlyList<string> Segments { get; init; } = [];
    /// <summary>The channel that works best for this person (null until a journey learned it).</summary>
    [Id(42)] public Journeys.MessageChannel? MasterChannel { get; init; }
    /// <summary>Loyalty points to spend, over the ledgers of the person's phones; null without a phone. Filled in where shown (<c>LoyaltyLookup</c>).</summary>
    [Id(60)] public long? LoyaltyPoints { get; init; }

    internal static ProfileView From(string profileId, ProfileState s, DateTimeOffset now, ProfileOptions profile, ScoringOptions scoring)
    {
        var score = s.Score.ScoreAt(now, scoring.HalfLife);
        var stageTimes = new Dictionary<FunnelStage, DateTimeOffset>();
        for (var i = 0; i < s.StageTimes.Length; i++)
        {
            if (s.StageTimes[i] is { } at)
            {
                stageTimes[FunnelStages.All[i]] = at;
            }
        }
        var t = s.Totals;
        return new ProfileView
        {
            ProfileId = profileId,
            Identities = [.. s.Identifiers.Select(i => i.ToString())],
            Traits = new Dictionary<string, string>(s.Traits),
            Stage = s.Stage,
            StageTimes = stageTimes,
            DroppedOffAt = t.LastSeen is { } last ? FunnelRules.DropOff(s.Stage, last, now, profile.DropOffAfter) : null,
            LeadScore = score,
            IsHot = score >= scoring.HotThreshold,
            ScoreReasons = s.Score.TopReasons(),
            Totals = new ProfileTotalsView(t.Events, t.PageViews, t.ProductViews, (int)t.SecondsOnSite, t.Contacts,
                t.StoreVisits, t.Orders, t.Revenue, t.FirstSeen, t.LastSeen),
            OnlineTouches = [.. s.Touches],
            Timeline = [.. s.Timeline.AsEnumerable().Reverse()],
            MergedFrom = [.. s.MergedFrom ?? []],
            LastStoreId = s.LastStoreId,
            Identified = s.IsIdentified,
            Groups = (s.Groups ?? []).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(g.Value), StringComparer.Ordinal),
            Segments = [.. O2O.Grains.Segments.SegmentCatalog.Each(s.Nurture.Segments.Current).Select(O2O.Grains.Segments.SegmentCatalog.Slug)],
            MasterChannel = s.Nurture.MasterChannel,
        };
    }
}

[GenerateSerializer, Immutable, Alias("o2o.profile-totals-view")]
public sealed record ProfileTotalsView(
    [property: Id(0)] int Events,
    [property: Id(1)] int PageViews,
    [property: Id(2)] int ProductViews,
    [property: Id(3)] int SecondsOnSite,
    [property: Id(4)] int Contacts,
    [property: Id(5)] int StoreVisits,
    [property: Id(6)] int Orders,
    [property: Id(7)] long Revenue,
    [property: Id(8)] DateTimeOffset? FirstSeen,
    [property: Id(9)] DateTimeOffset? LastSeen);
