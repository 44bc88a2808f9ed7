using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Tests.Attribution;

public sealed class AttributorTests
{
    private static readonly DateTimeOffset Conversion = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(7));
    private static readonly AttributionSettings Defaults = AttributionSettings.Default;

    private static TouchRecord Click(double daysBefore, string source, string campaign = "c") =>
        new(Conversion.AddDays(-daysBefore), new AdTouch { Source = source, Campaign = campaign });

    private static TouchRecord View(double daysBefore, string source) =>
        new(Conversion.AddDays(-daysBefore), new AdTouch { Source = source, Campaign = "v", IsView = true });

    private static long[] Credit(AttributionModel model, params TouchRecord[] touches) =>
        Attributor.Credit(Attributor.InWindow(touches, Conversion, Defaults), Conversion, model, Defaults);

    [Fact]
    public void LastTouchGivesEverythingToTheNewestTouch() =>
        Credit(AttributionModel.LastTouch, Click(10, "facebook"), Click(2, "google"), Click(5, "zalo"))
            .ShouldBe([0, 0, 1_000_000]);

    [Fact]
    public void FirstTouchGivesEverythingToTheOldestTouch() =>
        Credit(AttributionModel.FirstTouch, Click(2, "google"), Click(10, "facebook"))
            .ShouldBe([1_000_000, 0]);

    [Fact]
    public void LinearSharesEquallyAndHandsTheRoundingRemainderToTheLatest() =>
        // 1/3 each is 333,333.33…; the one unit left over goes to the most recent touch.
        Credit(AttributionModel.Linear, Click(3, "a"), Click(2, "b"), Click(1, "c"))
            .ShouldBe([333_333, 333_333, 333_334]);

    [Fact]
    public void TimeDecayHalvesCreditForEveryWeekOfAge()
    {
        // Ages 14, 7 and 0 days: weights 1/4, 1/2, 1 → 1/7, 2/7, 4/7.
        var credit = Credit(AttributionModel.TimeDecay, Click(14, "a"), Click(7, "b"), Click(0, "c"));

        credit.ShouldBe([142_857, 285_714, 571_429]);
    }

    [Fact]
    public void PositionBasedGivesFortyPercentToEachEndAndSharesTwentyInBetween()
    {
        Credit(AttributionModel.PositionBased, Click(4, "a"), Click(3, "b"), Click(2, "c"), Click(1, "d"))
            .ShouldBe([400_000, 100_000, 100_000, 400_000]);
        Credit(AttributionModel.PositionBased, Click(4, "a"), Click(1, "b")).ShouldBe([500_000, 500_000]);
        Credit(AttributionModel.PositionBased, Click(4, "a")).ShouldBe([1_000_000]);
    }

    [Fact]
    public void AClickCountsForThirtyDaysInclusiveAndNotASecondLonger()
    {
        Attributor.InWindow([Click(30, "facebook")], Conversion, Defaults).Count.ShouldBe(1);
        Attributor.InWindow([new TouchRecord(Conversion.AddDays(-30).AddSeconds(-1), new AdTouch { Source = "facebook" })], Conversion, Defaults)
            .ShouldBeEmpty();
    }

    [Fact]
    public void AViewCountsForOneDayOnly()
    {
        Attributor.InWindow([View(1, "youtube")], Conversion, Defaults).Count.ShouldBe(1);
        Attributor.InWindow([View(1.0001, "youtube")], Conversion, Defaults).ShouldBeEmpty();
        Attributor.InWindow([Click(1.0001, "youtube")], Conversion, Defaults).Count.ShouldBe(1);
    }

    [Fact]
    public void TouchesAfterTheConversionDoNotExplainIt() =>
        Attributor.InWindow([new TouchRecord(Conversion.AddMinutes(1), new AdTouch { Source = "facebook" })], Conversion, Defaults)
            .ShouldBeEmpty();

    [Fact]
    public void ConfiguredLookbackIsHonoured()
    {
        var week = Defaults with { ClickLookback = TimeSpan.FromDays(7) };
        Attributor.InWindow([Click(8, "facebook")], Conversion, week).ShouldBeEmpty();
    }

    [Fact]
    public void AVisitWithNoTouchInItsWindowIsOrganic()
    {
        var credits = ConversionAttribution.Attribute([Click(31, "facebook"), View(2, "youtube")], ConversionKind.StoreVisit, Conversion, "HCM01", 0, Defaults);

        credits.IsOrganic.ShouldBeTrue();
    }

    [Fact]
    public void APurchaseCarriesCreditAndRevenueForEveryModel()
    {
        var credits = ConversionAttribution.Attribute(
            [Click(10, "facebook", "tet"), Click(3, "google", "search"), Click(1, "facebook", "tet")],
            ConversionKind.Purchase, Conversion, "HCM01", 1_000_000, Defaults);

        foreach (var model in AttributionModels.All)
        {
            var mine = credits.Credits.Where(c => c.Model == model).ToList();
            mine.Sum(c => c.Credit).ShouldBe(Attributor.Scale);
            mine.Sum(c => c.Revenue).ShouldBe(1_000_000);
        }
        // The two facebook/tet touches are one line: 2/3 of linear credit.
        credits.Credits.Single(c => c.Model == AttributionModel.Linear && c.Touch.Channel == "facebook").Credit.ShouldBe(666_667);
        credits.Credits.Single(c => c.Model == AttributionModel.FirstTouch).Touch.Campaign.ShouldBe("tet");
    }

    [Fact]
    public void AClickIdWithoutUtmSourceNamesTheChannel() =>
        TouchKey.Of(new AdTouch { ClickIdType = "ttclid" }).Channel.ShouldBe("tiktok");
}
