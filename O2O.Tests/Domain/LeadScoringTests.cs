using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Tests.Domain;

public sealed class LeadScoringTests
{
    private static readonly TimeSpan HalfLife = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void PointsHalveAfterOneHalfLife()
    {
        var card = new ScoreCard();
        card.Add(ScoreReason.Contact, 40, T0, HalfLife);

        card.RawAt(T0, HalfLife).ShouldBe(40, 1e-9);
        card.RawAt(T0 + HalfLife, HalfLife).ShouldBe(20, 1e-9);
        card.RawAt(T0 + 2 * HalfLife, HalfLife).ShouldBe(10, 1e-9);
    }

    [Fact]
    public void ScoreDoesNotDependOnArrivalOrder()
    {
        var inOrder = new ScoreCard();
        inOrder.Add(ScoreReason.PageViews, 1, T0, HalfLife);
        inOrder.Add(ScoreReason.ProductInterest, 4, T0.AddDays(2), HalfLife);
        inOrder.Add(ScoreReason.Contact, 25, T0.AddDays(5), HalfLife);

        var shuffled = new ScoreCard();
        shuffled.Add(ScoreReason.Contact, 25, T0.AddDays(5), HalfLife);
        shuffled.Add(ScoreReason.PageViews, 1, T0, HalfLife);
        shuffled.Add(ScoreReason.ProductInterest, 4, T0.AddDays(2), HalfLife);

        var later = T0.AddDays(9);
        shuffled.RawAt(later, HalfLife).ShouldBe(inOrder.RawAt(later, HalfLife), 1e-9);
    }

    [Fact]
    public void ShownScoreIsCappedAtOneHundred()
    {
        var card = new ScoreCard();
        card.Add(ScoreReason.StoreVisit, 90, T0, HalfLife);
        card.Add(ScoreReason.Contact, 90, T0, HalfLife);

        card.ScoreAt(T0, HalfLife).ShouldBe(100);
    }

    [Fact]
    public void TopReasonsAreTheStrongestContributions()
    {
        var card = new ScoreCard();
        card.Add(ScoreReason.PageViews, 3, T0, HalfLife);
        card.Add(ScoreReason.StoreVisit, 30, T0, HalfLife);
        card.Add(ScoreReason.PricingInterest, 6, T0, HalfLife);

        card.TopReasons(2).ShouldBe([ScoreReason.StoreVisit, ScoreReason.PricingInterest]);
    }

    [Fact]
    public void IntentSignalsEarnMoreThanBrowsing()
    {
        var options = new ScoringOptions();
        double Points(CustomerEvent e) => LeadScoring.PointsFor(e, options).Sum(p => p.Points);
        var page = Event(EventType.Page) with { Path = "/blog/tips" };
        var pricing = Event(EventType.Page) with { Path = "/bang-gia" };
        var contact = Event(EventType.Track) with { Name = SegmentEvents.ChatStarted };
        var visit = Event(EventType.CheckIn) with { StoreId = "HCM01" };

        Points(page).ShouldBeLessThan(Points(pricing));
        Points(pricing).ShouldBeLessThan(Points(contact));
        Points(contact).ShouldBeLessThan(Points(visit));
    }

    [Fact]
    public void AForgottenTabEarnsCappedTimeOnSite()
    {
        var options = new ScoringOptions();
        var idle = Event(EventType.Page) with { Path = "/", DurationSeconds = 3 * 3600 };

        LeadScoring.PointsFor(idle, options).Single(p => p.Reason == ScoreReason.TimeOnSite).Points.ShouldBe(options.MaxTimeOnSitePerView);
    }

    private static CustomerEvent Event(EventType type) =>
        new() { MessageId = "m", Tenant = "t", Type = type, Timestamp = T0, AnonymousId = "a" };
}
