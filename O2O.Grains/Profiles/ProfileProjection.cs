using O2O.Grains.Events;
using O2O.Grains.Identity;

namespace O2O.Grains.Profiles;

/// <summary>
/// Applies events to a <see cref="ProfileState"/> and works out what the campaign and store
/// funnels must hear about. Pure: no I/O, no clock; the grain supplies both.
/// </summary>
public static class ProfileProjection
{
    public static void Apply(ProfileState s, CustomerEvent e, ProfileOptions profile, ScoringOptions scoring)
    {
        AddIdentifiers(s, Identifier.From(e));
        if (e.Traits is not null)
        {
            foreach (var (key, value) in e.Traits)
            {
                s.Traits[key] = value;
            }
        }
        if (e is { Type: EventType.Group, GroupId: { } groupId })
        {
            JoinGroup(s, groupId, e.GroupTraits, profile.GroupsSize);
        }
        if (e.Order?.CustomerName is { Length: > 0 } orderName)
        {
            s.Traits.TryAdd("name", orderName);
        }

        var t = s.Totals;
        t.Events++;
        t.FirstSeen = Min(t.FirstSeen, e.Timestamp);
        t.LastSeen = Max(t.LastSeen, e.Timestamp);
        switch (e.Type)
        {
            case EventType.Page or EventType.Screen:
                t.PageViews++;
                t.SecondsOnSite += e.DurationSeconds ?? 0;
                if (FunnelRules.IsProductPage(e))
                {
                    t.ProductViews++;
                }
                break;
            case EventType.Track when SegmentEvents.IsProductInterest(e.Name):
                t.ProductViews++;
                break;
            case EventType.CheckIn:
                t.StoreVisits++;
                break;
        }
        if (e.Order is { IsReversed: true } reversed)
        {
            // A return or cancellation takes the sale back; the order keeps its place in the timeline.
            t.Orders = Math.Max(0, t.Orders - 1);
            t.Revenue -= reversed.Total;
        }
        else if (e.Order is { } order)
        {
            t.Orders++;
            t.Revenue += order.Total;
        }
        if (FunnelRules.StageOf(e) == FunnelStage.Contacted)
        {
            t.Contacts++;
        }
        if (e.StoreId is not null && (e.Type == EventType.CheckIn || e.Order is not null))
        {
            s.LastStoreId = e.StoreId;
        }

        if (e.Touch is { } touch)
        {
            AddTouch(s, new TouchRecord(e.Timestamp, touch.Shared()), profile.TouchesSize);
            Reach(s, FunnelStage.Aware, e.Timestamp);
        }
        Reach(s, FunnelRules.StageOf(e), e.Timestamp);
        if (FunnelRules.IsEngaged(t.PageViews, t.SecondsOnSite))
        {
            Reach(s, FunnelStage.Engaged, e.Timestamp);
        }

        foreach (var (reason, points) in LeadScoring.PointsFor(e, scoring))
        {
            s.Score.Add(reason, points, e.Timestamp, scoring.HalfLife);
        }

        // The strings kept are the shared copies: an event that came over the wire from another silo
        // carries fresh ones, and twenty of them per person would be most of what the state holds.
        AddToTimeline(s.Timeline, new Touchpoint(e.Timestamp, e.Type, e.Name, DetailOf(e), e.Touch?.Campaign, e.StoreId).Shared(), profile.TimelineSize);
    }

    /// <summary>
    /// Funnel steps to report: for every campaign that touched this person and every store they
    /// visited, the stages reached since the last report. Marks them reported.
    /// </summary>
    public static void CollectFunnelDeltas(ProfileState s, ICollection<FunnelDelta> into)
    {
        var stage = s.Stage;
        if (stage == FunnelStage.None)
        {
            return;
        }
        foreach (var record in s.Touches)
        {
            var scope = Scope('c', record.Touch.CampaignKey);
            var reported = s.Reported.GetValueOrDefault(scope);
            if (stage > reported)
            {
                into.Add(new FunnelDelta(scope, reported, stage, FirstTouchOf(s, record.Touch.CampaignKey), FunnelStage.None));
                s.Reported[scope] = stage;
            }
        }
        if (stage >= FunnelStage.StoreVisited)
        {
            foreach (var storeId in VisitedStores(s))
            {
                var scope = Scope('s', storeId);
                var reported = s.Reported.GetValueOrDefault(scope);
                if (stage > reported)
                {
                    // Stores count visitors from the visit on; what came before is the visitor's prior stage.
                    var from = reported == FunnelStage.None ? FunnelStage.Contacted : reported;
                    var prior = reported == FunnelStage.None ? PriorStageBeforeVisit(s) : FunnelStage.None;
                    into.Add(new FunnelDelta(scope, from, stage, null, prior));
                    s.Reported[scope] = stage;
                }
            }
        }
    }

    /// <summary>Moves everything one profile knows into another (anonymous into identified).</summary>
    public static void Absorb(ProfileState target, ProfileState source, ProfileOptions profile, ScoringOptions scoring)
    {
        AddIdentifiers(target, source.Identifiers);
        foreach (var (key, value) in source.Traits)
        {
            target.Traits.TryAdd(key, value);
        }
        var t = target.Totals;
        var o = source.Totals;
        t.Events += o.Events;
        t.PageViews += o.PageViews;
        t.ProductViews += o.ProductViews;
        t.SecondsOnSite += o.SecondsOnSite;
        t.Contacts += o.Contacts;
        t.StoreVisits += o.StoreVisits;
        t.Orders += o.Orders;
        t.Revenue += o.Revenue;
        t.FirstSeen = o.FirstSeen is { } f ? Min(t.FirstSeen, f) : t.FirstSeen;
        t.LastSeen = o.LastSeen is { } l ? Max(t.LastSeen, l) : t.LastSeen;
        for (var i = 0; i < target.StageTimes.Length; i++)
        {
            if (source.StageTimes[i] is { } at)
            {
                target.StageTimes[i] = target.StageTimes[i] is { } mine && mine <= at ? mine : at;
            }
        }
        target.Score.Absorb(source.Score, scoring.HalfLife);
        target.LeadTeam ??= source.LeadTeam;
        foreach (var touch in source.Touches)
        {
            AddTouch(target, touch, profile.TouchesSize);
        }
        target.Touches.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        target.Timeline.AddRange(source.Timeline);
        target.Timeline.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        if (target.Timeline.Count > profile.TimelineSize)
        {
            target.Timeline.RemoveRange(0, target.Timeline.Count - profile.TimelineSize);
        }
        target.Timeline.Capacity = target.Timeline.Count;
        foreach (var (scope, stage) in source.Reported)
        {
            // The source already counted this person in those funnels; counting again would double them.
            if (stage > target.Reported.GetValueOrDefault(scope))
            {
                target.Reported[scope] = stage;
            }
        }
        target.LastStoreId ??= source.LastStoreId;
        // What the source still owed the aggregates is now this profile's debt, under the same ids.
        target.Outbox.AddRange(source.Outbox);
        foreach (var (groupId, traits) in source.Groups ?? [])
        {
            JoinGroup(target, groupId, traits, profile.GroupsSize);
        }
        (target.MergedFrom ??= []).Add(source.Identifiers.Count > 0 ? source.Identifiers[0].ToString() : "?");
    }

    /// <summary>The shared <c>c:campaign</c> or <c>s:store</c> key of a funnel, composed on the stack: a repeat allocates nothing.</summary>
    private static string Scope(char kind, string key)
    {
        if (key.Length > SharedStrings.MaxLength - 2)
        {
            return string.Concat(kind == 'c' ? "c:" : "s:", key);
        }
        Span<char> scope = stackalloc char[key.Length + 2];
        scope[0] = kind;
        scope[1] = ':';
        key.CopyTo(scope[2..]);
        return SharedStrings.Intern(scope);
    }

    private static FunnelStage PriorStageBeforeVisit(ProfileState s)
    {
        var visitAt = s.StageTimes[FunnelStages.IndexOf(FunnelStage.StoreVisited)];
        var prior = FunnelStage.None;
        for (var i = 0; i < FunnelStages.IndexOf(FunnelStage.StoreVisited); i++)
        {
            if (s.StageTimes[i] is { } at && (visitAt is null || at <= visitAt))
            {
                prior = FunnelStages.All[i];
            }
        }
        return prior;
    }

    private static IEnumerable<string> VisitedStores(ProfileState s) =>
        s.Timeline.Where(p => p.Type == EventType.CheckIn && p.StoreId is not null).Select(p => p.StoreId!)
            .Concat(s.LastStoreId is { } last ? [last] : [])
            .Distinct(StringComparer.Ordinal);

    private static void JoinGroup(ProfileState s, string groupId, IReadOnlyDictionary<string, string>? traits, int max)
    {
        var groups = s.Groups ??= [];
        if (!groups.TryGetValue(groupId, out var known))
        {
            if (groups.Count >= max)
            {
                return;
            }
            groups[groupId] = known = [];
        }
        foreach (var (key, value) in traits ?? new Dictionary<string, string>())
        {
            known[key] = value;
        }
    }

    private static AdTouch FirstTouchOf(ProfileState s, string campaignKey) =>
        s.Touches.First(r => r.Touch.CampaignKey == campaignKey).Touch;

    private static void Reach(ProfileState s, FunnelStage stage, DateTimeOffset at)
    {
        if (stage == FunnelStage.None)
        {
            return;
        }
        var i = FunnelStages.IndexOf(stage);
        if (s.StageTimes[i] is null || s.StageTimes[i] > at)
        {
            s.StageTimes[i] = at;
        }
    }

    private static void AddIdentifiers(ProfileState s, IEnumerable<Identifier> ids)
    {
        foreach (var id in ids)
        {
            if (!s.Identifiers.Contains(id))
            {
                s.Identifiers.Add(id);
            }
        }
    }

    private static void AddTouch(ProfileState s, TouchRecord touch, int max)
    {
        // A tagged landing followed by more pages carries the same UTM tags; one touch is enough.
        if (s.Touches.Count > 0 && s.Touches[^1].Touch == touch.Touch
            && (touch.Timestamp - s.Touches[^1].Timestamp).Duration() < TimeSpan.FromMinutes(30))
        {
            return;
        }
        s.Touches.Add(touch);
        if (s.Touches.Count > max)
        {
            s.Touches.RemoveAt(0);
        }
    }

    /// <summary>
    /// Adds <paramref name="point"/> in time order, keeping the newest <paramref name="max"/>. Growing
    /// copies the whole timeline into a new array, and with real traffic (a person's events spread over
    /// a session) each copy lives long enough for the GC to copy it again into gen1 and gen2; an array
    /// bigger than needed is kept for the profile's life. The list grows by 2.5 times (4, 10, 25, then
    /// <paramref name="max"/>): for 20 events 39 entries allocated and 25 kept, where doubling allocates
    /// 60 and keeps 32, and at any count it keeps about what version 1's object per entry did, or less.
    /// </summary>
    internal static void AddToTimeline(List<Touchpoint> timeline, Touchpoint point, int max)
    {
        var at = timeline.Count;
        while (at > 0 && timeline[at - 1].Timestamp > point.Timestamp)
        {
            at--;
        }
        while (timeline.Count >= max)
        {
            if (at == 0)
            {
                // Older than everything a full timeline keeps.
                return;
            }
            timeline.RemoveAt(0);
            at--;
        }
        if (timeline.Count == timeline.Capacity)
        {
            timeline.Capacity = Math.Min(max, timeline.Count < 4 ? 4 : timeline.Count * 5 / 2);
        }
        timeline.Insert(at, point);
    }

    private static string? DetailOf(CustomerEvent e) => e.Type switch
    {
        _ when e.Order is not null => e.Order.OrderId,
        EventType.CheckIn => e.CheckInMethod?.ToString(),
        _ => e.ProductId ?? e.Path,
    };

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
