using O2O.Grains.Attribution;

namespace O2O.Tests.Attribution;

/// <summary>A day's read model narrowed by store, channel and campaign, as the dashboard filters it.</summary>
public sealed class AttributionDayFilterTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);
    private static readonly DateTimeOffset At = new(2026, 11, 20, 3, 0, 0, TimeSpan.Zero);

    private static ConversionCredits Visit(string store, params (string Channel, string Campaign, long Credit)[] touches) =>
        new(ConversionKind.StoreVisit, At, store, 0,
            [.. touches.Select(t => new TouchCredit(AttributionModel.LastTouch, new TouchKey(t.Channel, t.Campaign, "video_15s", null), t.Credit, 0))]);

    private static AttributionDayState State()
    {
        var s = new AttributionDayState();
        AttributionDayAggregate.Add(s, new AttributionDayUpdate("filter-test#1",
        [
            Visit("HCM01", ("facebook", "fb_tet_sale", Attributor.Scale)),
            Visit("HCM01", ("google", "gg_search_brand", Attributor.Scale)),
            Visit("HCM01"),
            Visit("HN01", ("facebook", "fb_tet_sale", Attributor.Scale)),
        ], []));
        return s;
    }

    [Fact]
    public void AStoreFilterNarrowsCreditAndConversionsAlike()
    {
        var slice = AttributionDayAggregate.Slice(State(), Day, AttributionModel.LastTouch, TouchDimension.Campaign, store: "HCM01");

        slice.Stores.ShouldHaveSingleItem().StoreId.ShouldBe("HCM01");
        slice.Stores[0].Visits.ShouldBe(3);
        slice.Stores[0].OrganicVisits.ShouldBe(1);
        // Credited visits plus organic ones are the store's visits: the panels agree.
        (slice.Credit.Sum(c => c.VisitCredit) / Attributor.Scale + slice.Stores[0].OrganicVisits).ShouldBe(slice.Stores[0].Visits);
        slice.Credit.Select(c => c.Key).Order().ShouldBe(["fb_tet_sale", "gg_search_brand"]);
    }

    [Fact]
    public void CreditGroupsByStoreForAChannel()
    {
        var slice = AttributionDayAggregate.Slice(State(), Day, AttributionModel.LastTouch, TouchDimension.Store, channel: "facebook");

        slice.Credit.Select(c => (c.Key, c.VisitCredit / Attributor.Scale)).Order().ShouldBe([("HCM01", 1L), ("HN01", 1L)]);
    }

    [Fact]
    public void ACampaignFilterSplitsItsCreditByContent()
    {
        var slice = AttributionDayAggregate.Slice(State(), Day, AttributionModel.LastTouch, TouchDimension.Content, campaign: "fb_tet_sale");

        slice.Credit.ShouldHaveSingleItem().Key.ShouldBe("video_15s");
        slice.Credit[0].VisitCredit.ShouldBe(2 * Attributor.Scale);
    }
}
