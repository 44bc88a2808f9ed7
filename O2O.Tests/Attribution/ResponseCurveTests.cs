using O2O.Grains.Spend;

namespace O2O.Tests.Attribution;

public sealed class ResponseCurveTests
{
    private static readonly DateOnly Start = new(2026, 9, 1);

    /// <summary>60 days of spend between 5M and 40M VND a day, visits = 20 + 15·ln(1 + spend/8M) + noise.</summary>
    private static List<DailyPoint> Synthetic(int days, double noise, int seed = 7)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, days).Select(d =>
        {
            var spend = 5_000_000 + random.NextDouble() * 35_000_000;
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return new DailyPoint(Start.AddDays(d), spend, 20 + 15 * Math.Log(1 + spend / 8_000_000) + noise * gaussian);
        })];
    }

    [Fact]
    public void RecoversKnownParametersFromExactData()
    {
        var fit = ResponseCurveFit.Fit(Synthetic(60, noise: 0));

        fit.Fitted.ShouldBeTrue();
        var curve = fit.Curve!;
        curve.Baseline.ShouldBe(20, tolerance: 0.5);
        curve.Lift.ShouldBe(15, tolerance: 0.5);
        curve.Scale.ShouldBe(8_000_000, tolerance: 400_000);
        curve.RSquared.ShouldBeGreaterThan(0.999);
    }

    [Fact]
    public void RecoversTheCurveFromNoisyDataWithAnIntervalAroundTheTruth()
    {
        var fit = ResponseCurveFit.Fit(Synthetic(60, noise: 1));

        var curve = fit.Curve.ShouldNotBeNull();
        var truthAt20M = 20 + 15 * Math.Log(1 + 20_000_000 / 8_000_000.0);
        curve.Predict(20_000_000).ShouldBe(truthAt20M, tolerance: 1.5);
        var (low, high) = curve.Interval(20_000_000);
        low.ShouldBeLessThan(truthAt20M);
        high.ShouldBeGreaterThan(truthAt20M);
        curve.RSquared.ShouldBeGreaterThan(0.8);
    }

    [Fact]
    public void EachExtraDongBuysLessThanTheOneBefore()
    {
        var curve = ResponseCurveFit.Fit(Synthetic(60, noise: 0)).Curve!;

        var first = curve.Predict(10_000_000) - curve.Predict(0);
        var second = curve.Predict(20_000_000) - curve.Predict(10_000_000);
        second.ShouldBeLessThan(first);
    }

    [Fact]
    public void RefusesAFewDaysAndSaysWhy()
    {
        var fit = ResponseCurveFit.Fit(Synthetic(6, noise: 0));

        fit.Fitted.ShouldBeFalse();
        fit.Problems.ShouldContain(p => p.Contains("Mới có 6 ngày") && p.Contains("14"));
    }

    [Fact]
    public void RefusesSpendThatNeverChanged()
    {
        var flat = Enumerable.Range(0, 30).Select(d => new DailyPoint(Start.AddDays(d), 10_000_000, 30 + d % 3)).ToList();

        var fit = ResponseCurveFit.Fit(flat);

        fit.Fitted.ShouldBeFalse();
        fit.Problems.ShouldContain(p => p.Contains("gần như không đổi"));
    }

    [Fact]
    public void RefusesAChannelWithNoSpend()
    {
        var none = Enumerable.Range(0, 30).Select(d => new DailyPoint(Start.AddDays(d), 0, 10)).ToList();

        ResponseCurveFit.Fit(none).Problems.ShouldContain(p => p.Contains("chưa có chi tiêu"));
    }

    [Fact]
    public void RefusesToExtrapolateWhenResultsFallWithSpend()
    {
        var falling = Enumerable.Range(0, 30).Select(d => new DailyPoint(Start.AddDays(d), 1_000_000 * (d + 1), 100 - d)).ToList();

        ResponseCurveFit.Fit(falling).Problems.ShouldContain(p => p.Contains("không tăng"));
    }
}
