using MudBlazor;
using O2O.Grains.Profiles;
using O2O.Grains.Reports;
using O2O.Grains.Spend;

namespace O2O.Api.Dashboard;

/// <summary>A chart's labels and series, built from a report so tests can check them without a browser.</summary>
public sealed record ChartModel(string[] Labels, IReadOnlyList<ChartSeries<double>> Series);

/// <summary>Turns reports into chart data.</summary>
public static class DashboardCharts
{
    private static readonly FunnelStage[] Steps = [.. FunnelStages.All];

    /// <summary>One bar group per funnel step, one series per campaign (the top few by store visits).</summary>
    public static ChartModel Funnel(FunnelTable table, int top = 5, Func<FunnelRow, string>? name = null) => new(
        [.. Steps.Select(StageName)],
        [.. table.Rows.Take(top).Select(r => new ChartSeries<double>
        {
            Name = name?.Invoke(r) ?? r.Id,
            Data = new ChartData<double>([.. r.Funnel.Steps.Select(s => (double)s.Reached)]),
        })]);

    /// <summary>Expected daily visits against daily spend, with the 95% band.</summary>
    public static ChartModel ResponseCurve(WhatIfProjection projection) => new(
        [.. projection.Curve.Select((p, i) => i % 4 == 0 ? DashboardFormat.VndShort(p.DailySpend) : "")],
        [
            new ChartSeries<double> { Name = "Dự kiến", Data = new ChartData<double>([.. projection.Curve.Select(p => Math.Round(p.Expected, 2))]) },
            new ChartSeries<double> { Name = "Cận dưới 95%", Data = new ChartData<double>([.. projection.Curve.Select(p => Math.Round(p.Low, 2))]) },
            new ChartSeries<double> { Name = "Cận trên 95%", Data = new ChartData<double>([.. projection.Curve.Select(p => Math.Round(p.High, 2))]) },
        ]);

    /// <summary>Daily spend (millions of VND) and credited visits of one channel, day by day.</summary>
    public static ChartModel SpendVsVisits(SpendVsResults report, string channel)
    {
        var days = report.Daily.Where(d => d.Channel == channel).OrderBy(d => d.Date).ToList();
        return new(
            [.. days.Select((d, i) => i % 7 == 0 ? d.Date.ToString("dd/MM", DashboardFormat.Vietnamese) : "")],
            [
                new ChartSeries<double> { Name = "Chi tiêu (triệu ₫)", Data = new ChartData<double>([.. days.Select(d => Math.Round(d.Spend / 1_000_000.0, 2))]) },
                new ChartSeries<double> { Name = "Lượt ghé cửa hàng", Data = new ChartData<double>([.. days.Select(d => Math.Round(d.Visits, 2))]) },
            ]);
    }

    public static string StageName(FunnelStage stage) => stage switch
    {
        FunnelStage.Aware => "Thấy quảng cáo",
        FunnelStage.Visited => "Vào website",
        FunnelStage.Engaged => "Quan tâm",
        FunnelStage.Contacted => "Liên hệ",
        FunnelStage.StoreVisited => "Đến cửa hàng",
        FunnelStage.Purchased => "Mua hàng",
        _ => stage.ToString(),
    };
}
