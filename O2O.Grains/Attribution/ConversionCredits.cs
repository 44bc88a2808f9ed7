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
        Normalise(touch.Source ?? touch.ClickSource ?? "unknown"),
        touch.CampaignKey,
        touch.Content,
        touch.Audience);

    private static string Normalise(string channel)
    {
        foreach (var ch in channel)
        {
            if (char.IsUpper(ch) || char.IsWhiteSpace(ch))
            {
                return channel.Trim().ToLowerInvariant();
            }
        }
        return channel;
    }
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
    [property: Id(4)] IReadOnlyList<TouchCredit> Credits,
    [property: Id(5)] bool Retracted = false)
{
    /// <summary>+1 for a conversion, -1 for one taken back (an order returned, an anonymous sale later identified).</summary>
    public int Sign => Retracted ? -1 : 1;

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
        // The same tags touched twice are one line of the report: map each touch to its first equal key.
        var keys = new TouchKey[inWindow.Count];
        var line = new int[inWindow.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = TouchKey.Of(inWindow[i].Touch);
            line[i] = i;
            for (var j = 0; j < i; j++)
            {
                if (keys[j] == keys[i])
                {
                    line[i] = line[j];
                    break;
                }
            }
        }
        var credits = new List<TouchCredit>(AttributionModels.All.Length * inWindow.Count);
        var creditSum = new long[keys.Length];
        var revenueSum = new long[keys.Length];
        var weights = new double[keys.Length];
        foreach (var model in AttributionModels.All)
        {
            var shares = Attributor.Credit(inWindow, at, model, settings);
            long[]? revenueShares = null;
            if (revenue != 0)
            {
                for (var i = 0; i < shares.Length; i++)
                {
                    weights[i] = shares[i];
                }
                revenueShares = Attributor.Split(revenue, weights);
            }
            Array.Clear(creditSum);
            Array.Clear(revenueSum);
            for (var i = 0; i < shares.Length; i++)
            {
                creditSum[line[i]] += shares[i];
                revenueSum[line[i]] += revenueShares?[i] ?? 0;
            }
            for (var i = 0; i < shares.Length; i++)
            {
                if (line[i] == i && creditSum[i] > 0)
                {
                    credits.Add(new TouchCredit(model, keys[i], creditSum[i], revenueSum[i]));
                }
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
