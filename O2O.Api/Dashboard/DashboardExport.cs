using System.Globalization;
using System.Text;
using CsvHelper;
using O2O.Api.Reports;
using O2O.Api.Security;
using O2O.Grains.Attribution;
using O2O.Grains.Reports;

namespace O2O.Api.Dashboard;

/// <summary>CSV export of each dashboard table (UTF-8 with BOM so Excel shows Vietnamese correctly).</summary>
public static class DashboardExport
{
    public static IEndpointRouteBuilder MapDashboardExport(this IEndpointRouteBuilder app)
    {
        var export = app.MapGroup("/dashboard/export").RequireAuthorization(MarketerSignIn.PagePolicy).ExcludeFromDescription();
        export.MapGet("/funnel.csv", async (HttpContext http, MarketingReports reports, TimeProvider clock) =>
        {
            var table = await reports.FunnelAsync(http.User.Tenant(), Period(clock), FunnelScope.Campaign);
            return Csv("funnel.csv", table.Rows.Select(r => (object)new
            {
                Campaign = r.Id,
                Aware = r.Funnel.Steps[0].Reached,
                Visited = r.Funnel.Steps[1].Reached,
                Engaged = r.Funnel.Steps[2].Reached,
                Contacted = r.Funnel.Steps[3].Reached,
                StoreVisited = r.Funnel.Steps[4].Reached,
                Purchased = r.Funnel.Steps[5].Reached,
                BiggestDropOff = r.Funnel.BiggestDropOff?.ToString() ?? "",
            }));
        });
        export.MapGet("/attribution.csv", async (HttpContext http, MarketingReports reports, TimeProvider clock, string? model) =>
        {
            ReportQuery.TryEnum(model, AttributionModel.LastTouch, out var m);
            var table = await reports.AttributionAsync(http.User.Tenant(), Period(clock), m, TouchDimension.Campaign);
            return Csv($"attribution-{m}.csv", table.Rows.Select(r => (object)new { Campaign = r.Key, Model = m.ToString(), r.Visits, r.VisitShare, r.Purchases, RevenueVnd = r.Revenue }));
        });
        export.MapGet("/stores.csv", async (HttpContext http, MarketingReports reports, TimeProvider clock) =>
        {
            var table = await reports.StoresAsync(http.User.Tenant(), Period(clock));
            return Csv("stores.csv", table.Stores.Select(r => (object)new { r.Rank, Store = r.StoreId, r.Visits, r.OnlineInfluencedVisits, r.OnlineInfluencedShare, r.Purchases, RevenueVnd = r.Revenue }));
        });
        return app;
    }

    private static ReportPeriod Period(TimeProvider clock)
    {
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        return new ReportPeriod(today.AddDays(-29), today);
    }

    private static IResult Csv(string name, IEnumerable<object> rows)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            csv.WriteRecords(rows);
        }
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(writer.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }
}
