using O2O.Grains.Attribution;

namespace O2O.Grains.Spend;

/// <summary>A point of a fitted curve for charting: daily spend and the expected daily result.</summary>
public sealed record CurvePoint(double DailySpend, double Expected, double Low, double High);

/// <summary>A fitted response and what it predicts for the asked monthly spend.</summary>
public sealed record WhatIfProjection(
    double Baseline,
    double Lift,
    double Scale,
    double RSquared,
    double ResidualStdError,
    int Days,
    double ExpectedPerMonth,
    double ExpectedLowPerMonth,
    double ExpectedHighPerMonth,
    double CurrentPerMonth,
    double IncrementalPerMonth,
    double AttributedShare,
    IReadOnlyList<CurvePoint> Curve);

public sealed record WhatIfSplit(TouchDimension By, string Key, double Share, double IncrementalVisits);

/// <summary>
/// The answer to "spend S a month on channel C": expected visits (and revenue) with an interval,
/// the increment over today's spend, and the share of all store visits the channel's spend would explain.
/// When the data cannot support a curve, <see cref="Problems"/> says why and nothing is projected.
/// </summary>
public sealed record WhatIfAnswer(
    string Channel,
    AttributionModel Model,
    long MonthlySpend,
    long CurrentMonthlySpend,
    WhatIfProjection? Visits,
    WhatIfProjection? Revenue,
    IReadOnlyList<WhatIfSplit> Split,
    IReadOnlyList<string> Problems,
    IReadOnlyList<DailyPoint> Observed)
{
    /// <summary>What each extra store visit would cost: the extra spend over the extra visits; null when there are none.</summary>
    public long? CostPerExtraVisit => Visits is { IncrementalPerMonth: > 0.5 } v && MonthlySpend > CurrentMonthlySpend
        ? (long)Math.Round((MonthlySpend - CurrentMonthlySpend) / v.IncrementalPerMonth)
        : null;
}

public static class WhatIf
{
    /// <summary>A month, for turning daily curves into monthly answers.</summary>
    public const int DaysPerMonth = 30;

    /// <summary>
    /// The days a curve may be fitted on: complete days (before <paramref name="today"/>, whose
    /// visits are still coming in) on which the channel spent something. A day without spend says
    /// nothing about how results answer spend, and an unfinished day looks like a day of poor results.
    /// </summary>
    public static IReadOnlyList<DailyPoint> FitDays(IEnumerable<DailyPoint> days, DateOnly today) =>
        [.. days.Where(d => d.Day < today && d.Spend > 0)];

    /// <summary>Today's budget: the mean daily spend over the complete days up to a month back.</summary>
    public static double CurrentDailySpend(IEnumerable<DailyPoint> days, DateOnly today)
    {
        var complete = days.Where(d => d.Day < today && d.Day >= today.AddDays(-DaysPerMonth)).ToList();
        return complete.Count == 0 ? 0 : complete.Sum(d => d.Spend) / DaysPerMonth;
    }

    public static WhatIfAnswer Answer(
        string channel,
        AttributionModel model,
        long monthlySpend,
        IReadOnlyList<DailyPoint> visits,
        IReadOnlyList<DailyPoint> revenue,
        double totalDailyVisits,
        double totalDailyRevenue,
        IReadOnlyList<(TouchDimension By, string Key, double Share)> breakdown,
        DateOnly today)
    {
        var currentDaily = CurrentDailySpend(visits, today);
        var visitFit = ResponseCurveFit.Fit(FitDays(visits, today));
        var revenueFit = ResponseCurveFit.Fit(FitDays(revenue, today));
        var target = monthlySpend / (double)DaysPerMonth;
        var visitProjection = visitFit.Curve is { } vc ? Project(vc, target, currentDaily, totalDailyVisits) : null;
        var revenueProjection = revenueFit.Curve is { } rc ? Project(rc, target, currentDaily, totalDailyRevenue) : null;
        var problems = visitFit.Problems.Select(p => "Lượt ghé: " + p).Concat(revenueFit.Problems.Select(p => "Doanh thu: " + p)).ToList();
        var split = visitProjection is null
            ? []
            : breakdown.Select(b => new WhatIfSplit(b.By, b.Key, b.Share, b.Share * visitProjection.IncrementalPerMonth)).ToList();
        return new WhatIfAnswer(channel, model, monthlySpend, (long)Math.Round(currentDaily * DaysPerMonth), visitProjection, revenueProjection, split, problems, visits);
    }

    private static WhatIfProjection Project(ResponseCurve curve, double targetDaily, double currentDaily, double totalDaily)
    {
        var expected = Math.Max(0, curve.Predict(targetDaily));
        var (low, high) = curve.Interval(targetDaily);
        var current = Math.Max(0, curve.Predict(currentDaily));
        var incremental = expected - current;
        // All results per day at the new spend: what happens now, plus the change.
        var allAtTarget = Math.Max(totalDaily + incremental, expected);
        var dueToSpend = expected - curve.Baseline;
        var top = Math.Max(targetDaily, currentDaily) * 1.5;
        var points = Enumerable.Range(0, 25).Select(i =>
        {
            var x = top * i / 24;
            var (l, h) = curve.Interval(x);
            return new CurvePoint(x, Math.Max(0, curve.Predict(x)), l, h);
        }).ToList();
        return new WhatIfProjection(
            curve.Baseline, curve.Lift, curve.Scale, curve.RSquared, curve.ResidualStdError, curve.Days,
            expected * DaysPerMonth, low * DaysPerMonth, high * DaysPerMonth, current * DaysPerMonth, incremental * DaysPerMonth,
            allAtTarget <= 0 ? 0 : Math.Clamp(dueToSpend / allAtTarget, 0, 1),
            points);
    }
}
