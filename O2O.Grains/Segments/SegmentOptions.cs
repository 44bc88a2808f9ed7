using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Segments;

/// <summary>Segment thresholds (section <c>O2O:Segments</c>).</summary>
public sealed class SegmentOptions
{
    public const string Section = "O2O:Segments";

    /// <summary>A person with one order stays a first-time buyer this long after it.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan FirstTimeBuyerWindow { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Orders that make a customer loyal (while they are not at churn risk).</summary>
    [Range(2, 1000)] public int LoyalMinOrders { get; set; } = 3;

    /// <summary>Promotion uses (coupon applied, promotion clicked) that make a promotion lover...</summary>
    [Range(1, 1000)] public int PromotionMinUses { get; set; } = 2;

    /// <summary>...as long as they are at least this share of the person's orders.</summary>
    [Range(0.0, 10.0)] public double PromotionMinShareOfOrders { get; set; } = 0.5;

    /// <summary>Views of new arrivals that make a new-arrival lover.</summary>
    [Range(1, 1000)] public int NewArrivalMinViews { get; set; } = 3;

    /// <summary>Path or category fragments that mark a new-arrival page or product.</summary>
    [MinLength(1)] public string[] NewArrivalMarkers { get; set; } = ["hang-moi", "new-arrival", "moi-ve", "bo-suu-tap-moi"];

    /// <summary>Loyalty point actions (earned, redeemed) that make a points collector.</summary>
    [Range(1, 1000)] public int PointsMinActions { get; set; } = 2;

    /// <summary>Track events that are loyalty point actions.</summary>
    [MinLength(1)] public string[] PointsEvents { get; set; } = ["Points Earned", "Points Redeemed", "Reward Redeemed"];

    /// <summary>Track events that are promotion uses.</summary>
    [MinLength(1)] public string[] PromotionEvents { get; set; } = ["Coupon Applied", "Promotion Clicked", "Voucher Redeemed"];

    /// <summary>Average order value (VND) from which a buyer is mid value.</summary>
    [Range(1, long.MaxValue)] public long ValueMidFrom { get; set; } = 500_000;

    /// <summary>Average order value (VND) from which a buyer is high value.</summary>
    [Range(1, long.MaxValue)] public long ValueHighFrom { get; set; } = 2_000_000;

    /// <summary>The window purchase frequency is counted over.</summary>
    [Range(typeof(TimeSpan), "7.00:00:00", "3650.00:00:00")]
    public TimeSpan FrequencyWindow { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Orders in the window that make a regular buyer.</summary>
    [Range(1, 1000)] public int FrequencyMidOrders { get; set; } = 2;

    /// <summary>Orders in the window that make a frequent buyer.</summary>
    [Range(2, 1000)] public int FrequencyHighOrders { get; set; } = 4;

    /// <summary>Product views and cart adds this recent, with no order since, make "viewed or carted but did not buy".</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan BrowseWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// A repeat buyer is at churn risk once this many of their own purchase cycles (the median gap
    /// between their orders) pass without an order.
    /// </summary>
    [Range(1.0, 20.0)] public double ChurnCycles { get; set; } = 1.5;

    /// <summary>The shortest purchase cycle churn risk assumes, so two orders a minute apart do not flag churn the next day.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan MinPurchaseCycle { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often each tenant's clock runs the due buckets of its wheels (Orleans reminders need at least a minute).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Order times kept per person for the rhythm (the newest).</summary>
    [Range(2, 100)] public int OrderTimesKept { get; set; } = 12;
}
