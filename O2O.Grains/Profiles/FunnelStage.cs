namespace O2O.Grains.Profiles;

/// <summary>
/// The O2O conversion funnel. Stages are ordered: reaching a stage means having passed the ones
/// before it for reporting purposes ("reached at least"), even when a person skipped one
/// (walked into a store without ever visiting the website).
/// </summary>
public enum FunnelStage : byte
{
    None = 0,
    /// <summary>Saw or clicked an ad.</summary>
    Aware = 1,
    /// <summary>Visited the website or app.</summary>
    Visited = 2,
    /// <summary>Showed interest: products, pricing, cart, several pages or minutes on site.</summary>
    Engaged = 3,
    /// <summary>Reached out: chat, call or a form with a phone or email ("click to lead").</summary>
    Contacted = 4,
    /// <summary>Walked into a store ("show to sign").</summary>
    StoreVisited = 5,
    /// <summary>Bought anything, online or offline.</summary>
    Purchased = 6,
}

public static class FunnelStages
{
    /// <summary>Every real stage, in funnel order.</summary>
    public static readonly FunnelStage[] All =
    [
        FunnelStage.Aware, FunnelStage.Visited, FunnelStage.Engaged,
        FunnelStage.Contacted, FunnelStage.StoreVisited, FunnelStage.Purchased,
    ];

    public const int Count = 6;

    /// <summary>Zero-based position of a stage in <see cref="All"/>.</summary>
    public static int IndexOf(FunnelStage stage) => (int)stage - 1;
}
