using System.ComponentModel.DataAnnotations;
using O2O.Grains.Events;

namespace O2O.Grains.Profiles;

/// <summary>Why a lead scores what it does; each reason keeps its own decaying points.</summary>
public enum ScoreReason : byte
{
    PageViews = 0,
    ProductInterest = 1,
    PricingInterest = 2,
    CartIntent = 3,
    TimeOnSite = 4,
    Contact = 5,
    StoreVisit = 6,
    Purchase = 7,
    ConsultantOutcome = 8,
}

/// <summary>Weights and decay for lead scoring (section <c>O2O:Scoring</c>).</summary>
public sealed class ScoringOptions
{
    public const string Section = "O2O:Scoring";

    /// <summary>Points halve over this period without new signals.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A lead at or above this score is hot.</summary>
    [Range(1, 100)]
    public int HotThreshold { get; set; } = 60;

    [Range(0, 100)] public double PageView { get; set; } = 1;
    [Range(0, 100)] public double ProductView { get; set; } = 4;
    [Range(0, 100)] public double PricingView { get; set; } = 6;
    [Range(0, 100)] public double CartIntent { get; set; } = 10;
    /// <summary>Points per minute on site.</summary>
    [Range(0, 100)] public double PerMinuteOnSite { get; set; } = 1;
    /// <summary>Cap on time-on-site points one page view can earn, so a forgotten tab is not intent.</summary>
    [Range(0, 100)] public double MaxTimeOnSitePerView { get; set; } = 5;
    [Range(0, 100)] public double Contact { get; set; } = 25;
    [Range(0, 100)] public double StoreVisit { get; set; } = 30;
    [Range(0, 100)] public double Purchase { get; set; } = 15;
}

/// <summary>
/// Points an event earns, by reason. Pure: the same event always earns the same points.
/// </summary>
public static class LeadScoring
{
    public static IEnumerable<(ScoreReason Reason, double Points)> PointsFor(CustomerEvent e, ScoringOptions o)
    {
        if (e.Order is not null)
        {
            if (!e.Order.IsReversed)
            {
                yield return (ScoreReason.Purchase, o.Purchase);
            }
            yield break;
        }
        switch (e.Type)
        {
            case EventType.Page or EventType.Screen:
                yield return (ScoreReason.PageViews, o.PageView);
                if (FunnelRules.IsPricingPage(e))
                {
                    yield return (ScoreReason.PricingInterest, o.PricingView);
                }
                else if (FunnelRules.IsProductPage(e))
                {
                    yield return (ScoreReason.ProductInterest, o.ProductView);
                }
                if (e.DurationSeconds is > 0 and var seconds)
                {
                    yield return (ScoreReason.TimeOnSite, Math.Min(o.MaxTimeOnSitePerView, seconds / 60 * o.PerMinuteOnSite));
                }
                break;
            case EventType.Track when SegmentEvents.IsProductInterest(e.Name):
                yield return (ScoreReason.ProductInterest, o.ProductView);
                break;
            case EventType.Track when SegmentEvents.Is(e.Name, SegmentEvents.PricingViewed):
                yield return (ScoreReason.PricingInterest, o.PricingView);
                break;
            case EventType.Track when SegmentEvents.IsCartIntent(e.Name):
                yield return (ScoreReason.CartIntent, o.CartIntent);
                break;
            case EventType.Track when SegmentEvents.IsContact(e.Name):
                yield return (ScoreReason.Contact, o.Contact);
                break;
            case EventType.Identify when e.Phone is not null || e.Email is not null:
                yield return (ScoreReason.Contact, o.Contact);
                break;
            case EventType.CheckIn:
                yield return (ScoreReason.StoreVisit, o.StoreVisit);
                break;
        }
    }
}

/// <summary>
/// A lead score that decays exponentially: every point earned at time t is worth
/// 2^-((now - t) / halfLife) points now. Points are kept per reason, all expressed as of
/// <see cref="AsOf"/>. Because decay is multiplicative, the score does not depend on the
/// order in which events arrive.
/// </summary>
[GenerateSerializer, Alias("o2o.score-card")]
public sealed class ScoreCard
{
    private const int Reasons = 9;

    [Id(0)] public double[] Points { get; set; } = new double[Reasons];
    [Id(1)] public DateTimeOffset AsOf { get; set; }

    public void Add(ScoreReason reason, double points, DateTimeOffset at, TimeSpan halfLife)
    {
        if (AsOf == default)
        {
            AsOf = at;
        }
        if (at > AsOf)
        {
            var factor = Decay(at - AsOf, halfLife);
            for (var i = 0; i < Points.Length; i++)
            {
                Points[i] *= factor;
            }
            AsOf = at;
            Points[(int)reason] += points;
        }
        else
        {
            Points[(int)reason] += points * Decay(AsOf - at, halfLife);
        }
    }

    /// <summary>Raw decayed points at <paramref name="now"/>, uncapped.</summary>
    public double RawAt(DateTimeOffset now, TimeSpan halfLife) =>
        Points.Sum() * (now > AsOf ? Decay(now - AsOf, halfLife) : 1);

    /// <summary>The lead score shown to people: 0 to 100.</summary>
    public int ScoreAt(DateTimeOffset now, TimeSpan halfLife) => Display(RawAt(now, halfLife));

    /// <summary>Raw points as the 0 to 100 score people see.</summary>
    public static int Display(double raw) => (int)Math.Round(Math.Clamp(raw, 0, 100), MidpointRounding.AwayFromZero);

    /// <summary>The reasons that contribute most, strongest first.</summary>
    public IReadOnlyList<ScoreReason> TopReasons(int take = 3)
    {
        // Runs for every batch a profile applies: a few passes over a handful of reasons, no LINQ.
        var top = new List<ScoreReason>(take);
        for (var n = 0; n < take; n++)
        {
            var best = -1;
            for (var i = 0; i < Points.Length; i++)
            {
                if (Points[i] > 0.5 && !top.Contains((ScoreReason)i) && (best < 0 || Points[i] > Points[best]))
                {
                    best = i;
                }
            }
            if (best < 0)
            {
                break;
            }
            top.Add((ScoreReason)best);
        }
        return top;
    }

    /// <summary>Adds another card's points, as when two profiles of one person merge.</summary>
    public void Absorb(ScoreCard other, TimeSpan halfLife)
    {
        for (var i = 0; i < Points.Length && i < other.Points.Length; i++)
        {
            if (other.Points[i] > 0)
            {
                Add((ScoreReason)i, other.Points[i], other.AsOf, halfLife);
            }
        }
    }

    private static double Decay(TimeSpan elapsed, TimeSpan halfLife) =>
        Math.Pow(2, -elapsed.TotalSeconds / halfLife.TotalSeconds);
}
