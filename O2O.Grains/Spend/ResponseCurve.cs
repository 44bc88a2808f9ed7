using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearRegression;

namespace O2O.Grains.Spend;

/// <summary>One day of a channel: what was spent (VND) and what came of it (visits or revenue).</summary>
public readonly record struct DailyPoint(DateOnly Day, double Spend, double Result);

/// <summary>
/// A diminishing-returns response <c>result = Baseline + Lift · ln(1 + spend / Scale)</c> fitted to
/// daily data: every extra VND buys less than the one before, and zero spend leaves the baseline.
/// </summary>
/// <remarks>
/// For a fixed <see cref="Scale"/> the curve is linear in ln(1 + spend/scale), so the fit is ordinary
/// least squares for Baseline and Lift, with Scale chosen on a log grid by the smallest residual error.
/// The interval is the 95% confidence interval of the mean response at a given spend (Student t),
/// widened to cover every Scale the data cannot reject (profile F test), since Scale is estimated too.
/// </remarks>
[GenerateSerializer, Immutable, Alias("o2o.response-curve")]
public sealed record ResponseCurve(
    [property: Id(0)] double Baseline,
    [property: Id(1)] double Lift,
    [property: Id(2)] double Scale,
    [property: Id(3)] double RSquared,
    [property: Id(4)] double ResidualStdError,
    [property: Id(5)] int Days,
    [property: Id(6)] double MeanZ,
    [property: Id(7)] double Szz,
    [property: Id(8)] IReadOnlyList<ResponseCurve> Plausible,
    [property: Id(9)] double StudentT975)
{
    public double Predict(double dailySpend) => Baseline + Lift * Z(dailySpend);

    /// <summary>The 95% interval of the expected daily result at <paramref name="dailySpend"/>.</summary>
    public (double Low, double High) Interval(double dailySpend)
    {
        var (low, high) = IntervalAtScale(dailySpend);
        foreach (var other in Plausible)
        {
            var (l, h) = other.IntervalAtScale(dailySpend);
            low = Math.Min(low, l);
            high = Math.Max(high, h);
        }
        return (low, high);
    }

    private (double Low, double High) IntervalAtScale(double dailySpend)
    {
        var t = StudentT975;
        var dz = Z(dailySpend) - MeanZ;
        var half = t * ResidualStdError * Math.Sqrt(1.0 / Days + dz * dz / Szz);
        var mid = Predict(dailySpend);
        // Visits and revenue cannot be negative, whatever the straight-line interval says.
        return (Math.Max(0, mid - half), Math.Max(0, mid + half));
    }

    private double Z(double spend) => Math.Log(1 + Math.Max(0, spend) / Scale);
}

/// <summary>Why a curve could not be fitted, in words a marketer can act on.</summary>
[GenerateSerializer, Immutable, Alias("o2o.fit-outcome")]
public sealed record FitOutcome(
    [property: Id(0)] ResponseCurve? Curve,
    [property: Id(1)] IReadOnlyList<string> Problems)
{
    public bool Fitted => Curve is not null;
}

public static class ResponseCurveFit
{
    /// <summary>Fewer days than this and any curve is a guess.</summary>
    public const int MinimumDays = 14;
    /// <summary>Days with distinct spend levels needed to see how results move with spend.</summary>
    public const int MinimumDistinctSpendLevels = 5;
    /// <summary>Spend must vary at least this much (coefficient of variation) to separate its effect from the baseline.</summary>
    public const double MinimumSpendVariation = 0.05;

    public static FitOutcome Fit(IReadOnlyList<DailyPoint> days)
    {
        var problems = new List<string>();
        var withSpend = days.Where(d => d.Spend > 0).ToList();
        if (days.Count < MinimumDays)
        {
            problems.Add($"Mới có {days.Count} ngày đủ dữ liệu có chi tiêu; cần ít nhất {MinimumDays} ngày chi tiêu và kết quả.");
        }
        if (withSpend.Count == 0)
        {
            problems.Add("Kênh này chưa có chi tiêu nào: hãy tải lên chi tiêu theo ngày trước.");
        }
        else
        {
            var distinct = days.Select(d => Math.Round(d.Spend)).Distinct().Count();
            var mean = days.Average(d => d.Spend);
            var sd = Math.Sqrt(days.Sum(d => (d.Spend - mean) * (d.Spend - mean)) / Math.Max(1, days.Count - 1));
            if (distinct < MinimumDistinctSpendLevels || sd / mean < MinimumSpendVariation)
            {
                problems.Add($"Chi tiêu mỗi ngày gần như không đổi ({distinct} mức khác nhau, dao động {(sd / mean).ToString("P0", System.Globalization.CultureInfo.GetCultureInfo("vi-VN"))}); không tách được tác động của chi tiêu khỏi mức nền.");
            }
        }
        if (problems.Count > 0)
        {
            return new FitOutcome(null, problems);
        }

        var x = days.Select(d => d.Spend).ToArray();
        var y = days.Select(d => d.Result).ToArray();
        var typical = withSpend.Select(d => d.Spend).Order().ElementAt(withSpend.Count / 2);
        const int steps = 160;
        // Scales from 1/50 to 50 times the typical daily spend, evenly on a log scale.
        var t = StudentT.InvCDF(0, 1, days.Count - 2, 0.975);
        var curves = Enumerable.Range(0, steps + 1).Select(i => FitAt(x, y, typical * Math.Pow(50, 2.0 * i / steps - 1), t)).ToList();
        var best = curves.MinBy(c => c.ResidualStdError)!;
        if (best.Lift <= 0)
        {
            return new FitOutcome(null, ["Kết quả không tăng khi chi tiêu tăng trên dữ liệu này: không có đáp ứng dương để dự báo."]);
        }
        var n = days.Count;
        var sseBest = best.ResidualStdError * best.ResidualStdError * (n - 2);
        var limit = sseBest * (1 + FisherSnedecor.InvCDF(1, n - 3, 0.95) / (n - 3));
        var plausible = curves.Where(c => c != best && c.Lift > 0 && c.ResidualStdError * c.ResidualStdError * (n - 2) <= limit).ToList();
        return new FitOutcome(best with { Plausible = plausible }, []);
    }

    private static ResponseCurve FitAt(double[] x, double[] y, double scale, double t)
    {
        var z = x.Select(v => Math.Log(1 + v / scale)).ToArray();
        var (baseline, lift) = SimpleRegression.Fit(z, y);
        var n = z.Length;
        var meanZ = z.Average();
        var meanY = y.Average();
        double sse = 0, sst = 0, szz = 0;
        for (var i = 0; i < n; i++)
        {
            var r = y[i] - (baseline + lift * z[i]);
            sse += r * r;
            sst += (y[i] - meanY) * (y[i] - meanY);
            szz += (z[i] - meanZ) * (z[i] - meanZ);
        }
        return new ResponseCurve(baseline, lift, scale, sst == 0 ? 0 : 1 - sse / sst, Math.Sqrt(sse / (n - 2)), n, meanZ, szz, [], t);
    }
}
