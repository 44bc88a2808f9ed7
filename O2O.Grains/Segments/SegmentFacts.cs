using O2O.Grains.Events;

namespace O2O.Grains.Segments;

/// <summary>
/// The little a profile keeps beyond its totals so segment rules can run: the newest order times
/// (the person's purchase rhythm), the last product interest, a few counters, the segments the
/// person is in and the wheel bucket their next re-evaluation is registered in.
/// </summary>
[GenerateSerializer, Alias("o2o.segment-facts")]
public sealed class SegmentFacts
{
    /// <summary>Newest order times, oldest first, bounded by <see cref="SegmentOptions.OrderTimesKept"/>.</summary>
    [Id(0)] public List<DateTimeOffset> OrderTimes { get; set; } = [];
    /// <summary>The last product view or cart add.</summary>
    [Id(1)] public DateTimeOffset? LastInterestAt { get; set; }
    [Id(2)] public int PromotionUses { get; set; }
    [Id(3)] public int NewArrivalViews { get; set; }
    [Id(4)] public int PointsActions { get; set; }
    /// <summary>The segments the person is in as last evaluated.</summary>
    [Id(5)] public Segment Current { get; set; }
    /// <summary>The due-wheel bucket this profile is registered in, if any.</summary>
    [Id(6)] public long? DueBucket { get; set; }
    /// <summary>Came in through an event (fair, workshop) rather than the shop or an ad.</summary>
    [Id(7)] public bool FromEvent { get; set; }

    /// <summary>Takes what one event says about segments.</summary>
    public void Observe(CustomerEvent e, SegmentOptions options)
    {
        if (e.Order is not null)
        {
            AddOrder(e.Timestamp, options.OrderTimesKept);
        }
        if (e.Type == EventType.Track && (SegmentEvents.IsProductInterest(e.Name) || SegmentEvents.IsCartIntent(e.Name))
            || e.Type is EventType.Page or EventType.Screen && Profiles.FunnelRules.IsProductPage(e))
        {
            LastInterestAt = LastInterestAt is { } last && last > e.Timestamp ? last : e.Timestamp;
        }
        if (e.Type == EventType.Track && Matches(e.Name, options.PromotionEvents))
        {
            PromotionUses++;
        }
        if (e.Type == EventType.Track && Matches(e.Name, options.PointsEvents))
        {
            PointsActions++;
        }
        if (IsNewArrival(e, options.NewArrivalMarkers))
        {
            NewArrivalViews++;
        }
        if (e.Traits?.GetValueOrDefault("source") is { } source && source.Contains("event", StringComparison.OrdinalIgnoreCase))
        {
            FromEvent = true;
        }
    }

    /// <summary>Adds another profile's facts (an anonymous profile merged into this one).</summary>
    public void Absorb(SegmentFacts other, SegmentOptions options)
    {
        foreach (var at in other.OrderTimes)
        {
            AddOrder(at, options.OrderTimesKept);
        }
        if (other.LastInterestAt is { } i && (LastInterestAt is null || i > LastInterestAt))
        {
            LastInterestAt = i;
        }
        PromotionUses += other.PromotionUses;
        NewArrivalViews += other.NewArrivalViews;
        PointsActions += other.PointsActions;
        FromEvent |= other.FromEvent;
    }

    private void AddOrder(DateTimeOffset at, int keep)
    {
        var i = OrderTimes.Count;
        while (i > 0 && OrderTimes[i - 1] > at)
        {
            i--;
        }
        OrderTimes.Insert(i, at);
        if (OrderTimes.Count > keep)
        {
            OrderTimes.RemoveAt(0);
        }
    }

    private static bool Matches(string? name, string[] names) =>
        name is not null && Array.Exists(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    private static bool IsNewArrival(CustomerEvent e, string[] markers)
    {
        if (e.Type is not (EventType.Page or EventType.Screen or EventType.Track))
        {
            return false;
        }
        foreach (var m in markers)
        {
            if (e.Path?.Contains(m, StringComparison.OrdinalIgnoreCase) == true || e.Category?.Contains(m, StringComparison.OrdinalIgnoreCase) == true)
            {
                return true;
            }
        }
        return false;
    }
}
