using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using O2O.Grains.Segments;

namespace O2O.Tests.Segments;

/// <summary>The segment rules over random customers and times.</summary>
public sealed class SegmentRulesPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly SegmentOptions Options = new();

    /// <summary>Up to 8 orders over a year, some browsing, promotions, points, and a time to look at them.</summary>
    private static Arbitrary<(SegmentInputs Inputs, DateTimeOffset Now)> People() =>
        (from orderDays in Gen.ArrayOf(Gen.Choose(0, 365)).Select(a => a.Take(8).Order().ToArray())
         from orderHours in Gen.Choose(0, 23)
         from spend in Gen.Choose(50, 5_000)
         from interestDay in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 400).Select(d => (int?)d))
         from promotions in Gen.Choose(0, 6)
         from newArrivals in Gen.Choose(0, 6)
         from points in Gen.Choose(0, 4)
         from identified in Gen.Elements(true, false)
         from fromAd in Gen.Elements(true, false)
         from lookDay in Gen.Choose(0, 500)
         let times = orderDays.Select(d => Start.AddDays(d).AddHours(orderHours)).ToList()
         select (new SegmentInputs(times, times.Count, times.Count * spend * 1000L,
                interestDay is { } i ? Start.AddDays(i) : null, promotions, newArrivals, points, identified, fromAd),
             Start.AddDays(lookDay).AddMinutes(lookDay * 7 % 1440))).ToArbitrary();

    [Property(MaxTest = 500)]
    public Property MembershipHoldsUntilTheNextChangeItAnnounces() =>
        Prop.ForAll(People(), Gen.Choose(1, 999).ToArbitrary(), (p, permille) =>
        {
            var now = p.Now;
            var here = SegmentRules.Evaluate(p.Inputs, now, Options);
            if (here.NextChange is not { } next)
            {
                // Only an event can change it: the same a year later.
                return SegmentRules.Evaluate(p.Inputs, now.AddDays(365), Options).Members == here.Members;
            }
            var between = now + (next - now) * (permille / 1000.0);
            return next > now && SegmentRules.Evaluate(p.Inputs, between, Options).Members == here.Members;
        });

    [Property(MaxTest = 500)]
    public Property ABuyerHasExactlyOneValueTierAndOneFrequencyTierAndANonBuyerNone() =>
        Prop.ForAll(People(), p =>
        {
            var members = SegmentRules.Evaluate(p.Inputs, p.Now, Options).Members;
            var value = SegmentCatalog.Each(members & (Segment.ValueLow | Segment.ValueMid | Segment.ValueHigh)).Count();
            var frequency = SegmentCatalog.Each(members & (Segment.FrequencyLow | Segment.FrequencyMid | Segment.FrequencyHigh)).Count();
            return p.Inputs.Orders > 0 ? value == 1 && frequency == 1 : value == 0 && frequency == 0;
        });

    [Property(MaxTest = 500)]
    public Property ChurnRiskExactlyWhenOneAndAHalfOwnCyclesPassedSinceTheLastOrder() =>
        Prop.ForAll(People(), p =>
        {
            var members = SegmentRules.Evaluate(p.Inputs, p.Now, Options).Members;
            var churn = (members & Segment.ChurnRisk) != 0;
            if (SegmentRules.PurchaseCycle(p.Inputs.OrderTimes, Options) is not { } cycle)
            {
                return !churn;
            }
            return churn == (p.Now - p.Inputs.OrderTimes[^1] >= cycle * 1.5);
        });

    [Property(MaxTest = 500)]
    public Property LoyalAndChurnRiskNeverTogetherAndPotentialOnlyForNonBuyers() =>
        Prop.ForAll(People(), p =>
        {
            var members = SegmentRules.Evaluate(p.Inputs, p.Now, Options).Members;
            var loyalAndChurn = (members & (Segment.Loyal | Segment.ChurnRisk)) == (Segment.Loyal | Segment.ChurnRisk);
            var potentialBuyer = (members & Segment.Potential) != 0 && p.Inputs.Orders > 0;
            return !loyalAndChurn && !potentialBuyer;
        });

    [Fact]
    public void AMonthlyBuyerTurnsChurnRiskFortyFiveDaysAfterTheLastOrderNotBefore()
    {
        var orders = Enumerable.Range(0, 5).Select(i => Start.AddDays(30 * i)).ToList();
        var inputs = new SegmentInputs(orders, 5, 5 * 800_000, null, 0, 0, 0, true, false);

        var dayBefore = SegmentRules.Evaluate(inputs, orders[^1].AddDays(44), Options);
        var after = SegmentRules.Evaluate(inputs, orders[^1].AddDays(45), Options);

        dayBefore.Members.HasFlag(Segment.Loyal).ShouldBeTrue();
        dayBefore.Members.HasFlag(Segment.ChurnRisk).ShouldBeFalse();
        dayBefore.NextChange.ShouldBe(orders[^1].AddDays(45));
        after.Members.HasFlag(Segment.ChurnRisk).ShouldBeTrue();
        after.Members.HasFlag(Segment.Loyal).ShouldBeFalse();
    }

    [Fact]
    public void AWeeklyBuyerIsAtRiskSoonerThanAMonthlyOne()
    {
        var weekly = Enumerable.Range(0, 4).Select(i => Start.AddDays(7 * i)).ToList();
        var monthly = Enumerable.Range(0, 4).Select(i => Start.AddDays(30 * i)).ToList();
        var twentyDaysOn = new Func<List<DateTimeOffset>, Segment>(times =>
            SegmentRules.Evaluate(new SegmentInputs(times, times.Count, 1_000_000, null, 0, 0, 0, true, false), times[^1].AddDays(20), Options).Members);

        twentyDaysOn(weekly).HasFlag(Segment.ChurnRisk).ShouldBeTrue();
        twentyDaysOn(monthly).HasFlag(Segment.ChurnRisk).ShouldBeFalse();
    }

    [Fact]
    public void AContactFromAnAdWhoNeverBoughtIsPotentialUntilTheFirstOrder()
    {
        var potential = SegmentRules.Evaluate(new SegmentInputs([], 0, 0, null, 0, 0, 0, true, true), Start, Options).Members;
        var bought = SegmentRules.Evaluate(new SegmentInputs([Start], 1, 300_000, null, 0, 0, 0, true, true), Start.AddDays(1), Options).Members;

        potential.ShouldBe(Segment.Potential);
        bought.ShouldBe(Segment.FirstTimeBuyer | Segment.ValueLow | Segment.FrequencyLow);
    }
}
