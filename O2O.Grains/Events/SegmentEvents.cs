namespace O2O.Grains.Events;

/// <summary>
/// Track event names whose meaning we rely on: the Segment e-commerce spec names plus the
/// contact and ad events a lead funnel needs. Matching is case-insensitive.
/// </summary>
public static class SegmentEvents
{
    public const string ProductViewed = "Product Viewed";
    public const string ProductListViewed = "Product List Viewed";
    public const string ProductAdded = "Product Added";
    public const string CartViewed = "Cart Viewed";
    public const string CheckoutStarted = "Checkout Started";
    public const string OrderCompleted = "Order Completed";
    public const string PricingViewed = "Pricing Viewed";
    public const string ChatStarted = "Chat Started";
    public const string CallStarted = "Call Started";
    public const string FormSubmitted = "Form Submitted";
    public const string LeadSubmitted = "Lead Submitted";
    public const string AdClicked = "Ad Clicked";
    public const string AdViewed = "Ad Viewed";
    public const string VideoAdStarted = "Video Ad Started";
    public const string EmailOpened = "Email Opened";

    public static bool Is(string? name, string expected) =>
        name is not null && string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for events that mean the person reached out ("click to lead").</summary>
    public static bool IsContact(string? name) =>
        Is(name, ChatStarted) || Is(name, CallStarted) || Is(name, FormSubmitted) || Is(name, LeadSubmitted);

    /// <summary>
    /// True for events that mean the person saw an ad or message without clicking it (an impression,
    /// a video ad starting, an email opened): their touch counts as a view for attribution.
    /// </summary>
    public static bool IsView(string? name) =>
        Is(name, AdViewed) || Is(name, VideoAdStarted) || Is(name, EmailOpened);

    /// <summary>True for events that show interest in a product.</summary>
    public static bool IsProductInterest(string? name) =>
        Is(name, ProductViewed) || Is(name, ProductListViewed);

    /// <summary>True for events that show intent to buy.</summary>
    public static bool IsCartIntent(string? name) =>
        Is(name, ProductAdded) || Is(name, CartViewed) || Is(name, CheckoutStarted);
}
