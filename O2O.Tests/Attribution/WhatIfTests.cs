using O2O.Grains.Attribution;
using O2O.Grains.Spend;

namespace O2O.Tests.Attribution;

public sealed class WhatIfTests
{
    private static readonly DateOnly Today = new(2026, 11, 27);

    /// <summary>30 complete days on a clean diminishing-returns curve, spend varying day to day.</summary>
    private static List<DailyPoint> History() =>
        [.. Enumerable.Range(1, 30).Select(i =>
        {
            var spend = 4_000_000.0 + (i % 7) * 2_000_000;
            return new DailyPoint(Today.AddDays(-i), spend, 20 + 12 * Math.Log(1 + spend / 5_000_000.0) + (i % 3 - 1) * 0.2);
        })];

    [Fact]
    public void TheFitLeavesOutTodayAndDaysWithoutSpend()
    {
        var days = History();
        // Today is half over: full spend, a fraction of its visits so far. A day the channel paused has visits but no spend.
        days.Add(new DailyPoint(Today, 10_000_000, 3));
        days.Add(new DailyPoint(Today.AddDays(-31), 0, 25));

        var fitted = WhatIf.FitDays(days, Today);

        fitted.Count.ShouldBe(30);
        fitted.ShouldNotContain(d => d.Day == Today);
        fitted.ShouldAllBe(d => d.Spend > 0);
    }

    [Fact]
    public void APartialDayDoesNotSpoilTheAnswer()
    {
        var clean = WhatIf.Answer("facebook", AttributionModel.LastTouch, 500_000_000, History(), History(), 200, 0, [], Today);
        var withPartialDay = History();
        withPartialDay.Add(new DailyPoint(Today, 10_000_000, 2));
        withPartialDay.Add(new DailyPoint(Today.AddDays(-31), 0, 40));

        var answer = WhatIf.Answer("facebook", AttributionModel.LastTouch, 500_000_000, withPartialDay, withPartialDay, 200, 0, [], Today);

        answer.Problems.ShouldBeEmpty();
        var visits = answer.Visits.ShouldNotBeNull();
        visits.RSquared.ShouldBe(clean.Visits.ShouldNotBeNull().RSquared, 1e-9);
        visits.Days.ShouldBe(30);
        visits.IncrementalPerMonth.ShouldBeGreaterThan(0);
        answer.CostPerExtraVisit.ShouldNotBeNull().ShouldBeGreaterThan(0);
        visits.Curve.ShouldAllBe(p => p.Low >= 0 && p.High >= p.Low);
    }

    [Fact]
    public void TooFewCompleteDaysAreRefusedInVietnamese()
    {
        var days = History().Take(10).Append(new DailyPoint(Today, 9_000_000, 1)).ToList();

        var answer = WhatIf.Answer("facebook", AttributionModel.LastTouch, 500_000_000, days, days, 200, 0, [], Today);

        answer.Visits.ShouldBeNull();
        answer.Problems.ShouldContain(p => p.StartsWith("Lượt ghé: Mới có 10 ngày", StringComparison.Ordinal));
    }
}
