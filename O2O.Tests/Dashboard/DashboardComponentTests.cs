using Bunit;
using MudBlazor;
using MudBlazor.Services;
using O2O.Api.Dashboard;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Reports;
using O2O.Grains.Spend;

namespace O2O.Tests.Dashboard;

public sealed class DashboardComponentTests : IDisposable
{
    private readonly BunitContext _context = new();

    public DashboardComponentTests()
    {
        _context.Services.AddMudServices();
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public void Dispose() => _context.Dispose();

    private static readonly ReportPeriod Period = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30));

    [Fact]
    public void FunnelChartHasOneSeriesPerTopCampaignWithReachedCountsPerStep()
    {
        var table = new FunnelTable(Period, FunnelScope.Campaign,
        [
            new FunnelRow(FunnelScope.Campaign, "fb_tet_sale", FunnelReport.From([100, 80, 40, 20, 10, 5])),
            new FunnelRow(FunnelScope.Campaign, "gg_search_brand", FunnelReport.From([50, 45, 30, 12, 8, 6])),
        ]);

        var chart = DashboardCharts.Funnel(table);

        chart.Labels.ShouldBe(["Thấy quảng cáo", "Vào website", "Quan tâm", "Liên hệ", "Đến cửa hàng", "Mua hàng"]);
        chart.Series.Select(s => s.Name).ShouldBe(["fb_tet_sale", "gg_search_brand"]);
        chart.Series[0].Data.ToList().ShouldBe([100.0, 80, 40, 20, 10, 5]);
    }

    [Fact]
    public void TheFunnelChartRendersABarPerCampaignAndStep()
    {
        var chart = DashboardCharts.Funnel(new FunnelTable(Period, FunnelScope.Campaign,
            [new FunnelRow(FunnelScope.Campaign, "fb_tet_sale", FunnelReport.From([100, 80, 40, 20, 10, 5]))]));

        var rendered = _context.Render<MudChart<double>>(p => p
            .Add(c => c.ChartType, ChartType.Bar)
            .Add(c => c.ChartLabels, chart.Labels)
            .Add(c => c.ChartSeries, chart.Series.ToList()));

        rendered.Markup.ShouldContain("fb_tet_sale");
        rendered.FindAll("path.mud-chart-bar").Count.ShouldBe(6);
    }

    [Fact]
    public void ResponseCurveChartCarriesExpectedAndBothBoundsOverSpend()
    {
        var fit = ResponseCurveFit.Fit([.. Enumerable.Range(0, 30).Select(d =>
            new DailyPoint(new DateOnly(2026, 10, 1).AddDays(d), 5_000_000 + d * 1_000_000, 10 + 8 * Math.Log(1 + (5_000_000 + d * 1_000_000) / 6_000_000.0) + (d % 3 - 1) * 0.3))]);
        var answer = WhatIf.Answer("facebook", AttributionModel.LastTouch, 500_000_000,
            fit.Curve is null ? [] : [.. Enumerable.Range(0, 30).Select(d => new DailyPoint(new DateOnly(2026, 10, 1).AddDays(d), 5_000_000 + d * 1_000_000, 10 + 8 * Math.Log(1 + (5_000_000 + d * 1_000_000) / 6_000_000.0) + (d % 3 - 1) * 0.3))],
            [], 100, 0, [], new DateOnly(2026, 11, 15));

        var chart = DashboardCharts.ResponseCurve(answer.Visits.ShouldNotBeNull());

        chart.Series.Select(s => s.Name).ShouldBe(["Dự kiến", "Cận dưới 95%", "Cận trên 95%"]);
        var expected = chart.Series[0].Data.ToList();
        var low = chart.Series[1].Data.ToList();
        var high = chart.Series[2].Data.ToList();
        expected.ShouldBeInOrder(Shouldly.SortDirection.Ascending);
        expected.Zip(low).ShouldAllBe(x => x.Second <= x.First);
        expected.Zip(high).ShouldAllBe(x => x.Second >= x.First);
        chart.Labels[0].ShouldBe("0 ₫");
    }

    [Fact]
    public void KpiShowsVndTheVietnameseWay()
    {
        var kpi = _context.Render<Kpi>(p => p.Add(k => k.Title, "Doanh thu").Add(k => k.Value, DashboardFormat.Vnd(1_250_000)));

        kpi.Find(".kpi-value").TextContent.ShouldBe("1.250.000 ₫");
        DashboardFormat.Date(new DateOnly(2026, 11, 2)).ShouldBe("02/11/2026");
        DashboardFormat.VndShort(500_000_000).ShouldBe("500 tr");
    }
}
