using O2O.Grains.Events;

namespace O2O.Grains.Profiles;

/// <summary>
/// Which funnel stage an event proves, and when a person counts as dropped off.
/// </summary>
public static class FunnelRules
{
    /// <summary>Page views in total after which a visitor counts as engaged.</summary>
    public const int EngagedPageViews = 3;

    /// <summary>Seconds on site in total after which a visitor counts as engaged.</summary>
    public const double EngagedSecondsOnSite = 120;

    /// <summary>The highest stage this single event proves on its own.</summary>
    public static FunnelStage StageOf(CustomerEvent e) => e.Type switch
    {
        _ when e.Order is not null => FunnelStage.Purchased,
        EventType.CheckIn => FunnelStage.StoreVisited,
        // Leaving a phone or email through a form is the "click to lead" step.
        EventType.Identify when e.Phone is not null || e.Email is not null => FunnelStage.Contacted,
        EventType.Track when SegmentEvents.IsContact(e.Name) => FunnelStage.Contacted,
        EventType.Track when SegmentEvents.IsProductInterest(e.Name) || SegmentEvents.IsCartIntent(e.Name)
            || SegmentEvents.Is(e.Name, SegmentEvents.PricingViewed) => FunnelStage.Engaged,
        EventType.Page or EventType.Screen when IsPricingPage(e) || IsProductPage(e) => FunnelStage.Engaged,
        EventType.Page or EventType.Screen => FunnelStage.Visited,
        _ when e.Touch is not null => FunnelStage.Aware,
        _ => FunnelStage.None,
    };

    /// <summary>Aggregates alone can prove engagement: several pages or minutes on site.</summary>
    public static bool IsEngaged(int pageViews, double secondsOnSite) =>
        pageViews >= EngagedPageViews || secondsOnSite >= EngagedSecondsOnSite;

    /// <summary>
    /// The stage a person dropped off at: the highest stage reached, when it is short of a purchase
    /// and nothing has happened for <paramref name="inactiveAfter"/>. Null while they are still moving.
    /// </summary>
    public static FunnelStage? DropOff(FunnelStage current, DateTimeOffset lastSeen, DateTimeOffset now, TimeSpan inactiveAfter) =>
        current is not FunnelStage.None and not FunnelStage.Purchased && now - lastSeen >= inactiveAfter
            ? current
            : null;

    public static bool IsPricingPage(CustomerEvent e) =>
        string.Equals(e.Category, "pricing", StringComparison.OrdinalIgnoreCase)
        || ContainsAny(e.Path, "/pricing", "/bang-gia", "/gia");

    public static bool IsProductPage(CustomerEvent e) =>
        string.Equals(e.Category, "product", StringComparison.OrdinalIgnoreCase)
        || ContainsAny(e.Path, "/product", "/san-pham", "/p/");

    private static bool ContainsAny(string? path, params ReadOnlySpan<string> needles)
    {
        if (path is null)
        {
            return false;
        }
        foreach (var needle in needles)
        {
            if (path.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
