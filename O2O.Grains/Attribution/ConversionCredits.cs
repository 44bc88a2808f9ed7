using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Attribution;

/// <summary>What a person did offline that attribution explains.</summary>
public enum ConversionKind : byte
{
    StoreVisit = 1,
    Purchase = 2,
}

/// <summary>The tags a report groups credit by: channel, campaign, content, audience.</summary>
[GenerateSerializer, Immutable, Alias("o2o.touch-key")]
public sealed record TouchKey(
    [property: Id(0)] string Channel,
    [property: Id(1)] string Campaign,
    [property: Id(2)] string? Content,
    [property: Id(3)] string? Audience)
{
    public static TouchKey Of(AdTouch touch) => new(
        (touch.Source ?? touch.ClickSource ?? "unknown").Trim().ToLowerInvariant(),
        touch.CampaignKey,
        touch.Content,
        touch.Audience);
}

/// <summary>One touch's share of one conversion under one model, in millionths.</summary>
[GenerateSerializer, Immutable, Alias("o2o.touch-credit")]
public sealed record TouchCredit(
    [property: Id(0)] AttributionModel Model,
    [property: Id(1)] TouchKey Touch,
    [property: Id(2)] long Credit,
    [property: Id(3)] long Revenue);

/// <summary>
/// One conversion with its credit under every model, computed when it happened, so a report can
/// switch model without recomputing. No credits means organic.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.conversion-credits")]
public sealed record ConversionCredits(
    [property: Id(0)] ConversionKind Kind,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string StoreId,
    [property: Id(3)] long Revenue,
    [property: Id(4)] IReadOnlyList<TouchCredit> Credits)
{
    public bool IsOrganic => Credits.Count == 0;
}

/// <summary>Computes <see cref="ConversionCredits"/> from a person's touches.</summary>
public static class ConversionAttribution
{
    public static ConversionCredits Attribute(
        IEnumerable<TouchRecord> touches, ConversionKind kind, DateTimeOffset at, string storeId, long revenue, AttributionSettings settings)
    {
        var inWindow = Attributor.InWindow(touches, at, settings);
        if (inWindow.Count == 0)
        {
            return new ConversionCredits(kind, at, storeId, revenue, []);
        }
        var keys = inWindow.Select(t => TouchKey.Of(t.Touch)).ToArray();
        var credits = new List<TouchCredit>(AttributionModels.All.Length * inWindow.Count);
        foreach (var model in AttributionModels.All)
        {
            var shares = Attributor.Credit(inWindow, at, model, settings);
            var revenueShares = Attributor.Split(revenue, [.. shares.Select(s => (double)s)]);
            // The same tags touched twice are one line of the report.
            foreach (var group in keys.Select((k, i) => (k, i)).Where(x => shares[x.i] > 0).GroupBy(x => x.k))
            {
                credits.Add(new TouchCredit(model, group.Key, group.Sum(x => shares[x.i]), group.Sum(x => revenueShares[x.i])));
            }
        }
        return new ConversionCredits(kind, at, storeId, revenue, credits);
    }

    /// <summary>The conversion an event represents, if any: a check-in is a visit, an order a purchase.</summary>
    public static (ConversionKind Kind, long Revenue)? ConversionOf(CustomerEvent e) => e switch
    {
        { Order: { } order } => (ConversionKind.Purchase, order.Total),
        { Type: EventType.CheckIn, StoreId: not null } => (ConversionKind.StoreVisit, 0),
        _ => null,
    };
}
