using System.Globalization;
using System.Text;
using CsvHelper;
using O2O.Api.Catalog;
using O2O.Api.Reports;
using O2O.Api.Security;
using O2O.Grains.Attribution;
using O2O.Grains.Profiles;
using O2O.Grains.Reports;

namespace O2O.Api.Dashboard;

/// <summary>CSV export of each dashboard table (UTF-8 with BOM so Excel shows Vietnamese correctly).</summary>
public static class DashboardExport
{
    public static IEndpointRouteBuilder MapDashboardExport(this IEndpointRouteBuilder app)
    {
        var export = app.MapGroup("/dashboard/export").RequireAuthorization(MarketerSignIn.PagePolicy).ExcludeFromDescription();
        export.MapGet("/funnel.csv", async (HttpContext http, MarketingReports reports, TimeProvider clock, TenantNames names, string? from, string? to, string? store, string? channel) =>
        {
            var filter = new ReportFilter(Blank(store), Blank(channel));
            var table = await reports.FunnelAsync(http.User.Tenant(), Period(clock, from, to), FunnelScope.Campaign, filter);
            var n = await names.ForAsync(http.User.Tenant());
            return Csv("phieu.csv",
                [table.Rows.FirstOrDefault()?.Scope == FunnelScope.Store ? "Cửa hàng" : "Chiến dịch", "Mã", .. FunnelStages.All.Select(DashboardCharts.StageName), "Rơi nhiều nhất"],
                table.Rows.Select(r => (IEnumerable<object?>)[
                    r.Scope == FunnelScope.Store ? n.Store(r.Id) : n.Campaign(r.Id), r.Id, .. r.Funnel.Steps.Select(s => (object)s.Reached),
                    r.Funnel.BiggestDropOff is { } d ? DashboardCharts.StageName(d) : ""]));
        });
        export.MapGet("/attribution.csv", async (HttpContext http, MarketingReports reports, TimeProvider clock, TenantNames names, string? model, string? from, string? to, string? store, string? channel) =>
        {
            ReportQuery.TryEnum(model, AttributionModel.LastTouch, out var m);
            var table = await reports.AttributionAsync(http.User.Tenant(), Period(clock, from, to), m, TouchDimension.Campaign, new ReportFilter(Blank(store), Blank(channel)));
            var n = await names.ForAsync(http.User.Tenant());
            return Csv($"phan-bo-{m}.csv",
                ["Chiến dịch", "Mã", "Mô hình", "Lượt ghé", "Tỷ trọng", "Đơn hàng", "Doanh thu (VND)"],
                table.Rows.Select(r => (IEnumerable<object?>)[n.Campaign(r.Key), r.Key, DashboardFormat.ModelName(m), r.Visits, r.VisitShare, r.Purchases, r.Revenue]));
        });
        export.MapGet("/stores.csv", async (HttpContext http, MarketingReports reports, TimeProvider clock, TenantNames names, string? model, string? from, string? to, string? store, string? channel) =>
        {
            ReportQuery.TryEnum(model, AttributionModel.LastTouch, out var m);
            var table = await reports.StoresAsync(http.User.Tenant(), Period(clock, from, to), new ReportFilter(Blank(store), Blank(channel)), m);
            var n = await names.ForAsync(http.User.Tenant());
            return Csv("cua-hang.csv",
                ["Hạng", "Cửa hàng", "Mã", "Lượt ghé", "Lượt ghé do online", "Tỷ lệ do online", "Đơn hàng", "Doanh thu (VND)"],
                table.Stores.Select(r => (IEnumerable<object?>)[r.Rank, n.Store(r.StoreId), r.StoreId, r.Visits, r.OnlineInfluencedVisits, r.OnlineInfluencedShare, r.Purchases, r.Revenue]));
        });
        return app;
    }

    /// <summary>The dashboard's period when both days parse and make a range, else the last 30 days.</summary>
    private static ReportPeriod Period(TimeProvider clock, string? from, string? to)
    {
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        return DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f)
            && DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            && f <= t && t.DayNumber - f.DayNumber < ReportPeriod.MaximumDays
            ? new ReportPeriod(f, t)
            : new ReportPeriod(today.AddDays(-29), today);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>A CSV with Vietnamese headers; numbers are written invariantly so spreadsheets read them as numbers.</summary>
    private static IResult Csv(string name, IReadOnlyList<string> headers, IEnumerable<IEnumerable<object?>> rows)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var h in headers)
            {
                csv.WriteField(h);
            }
            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var v in row)
                {
                    csv.WriteField(v);
                }
                csv.NextRecord();
            }
        }
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(writer.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }
}
