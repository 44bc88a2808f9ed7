using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains.Attribution;
using O2O.Grains.MasterData;

namespace O2O.Api.MasterData;

/// <summary>One day of master-data KPIs, counters by name.</summary>
public sealed record KpiDayDto(DateOnly Day, IReadOnlyDictionary<string, long> Counts, double IdentifiedShare);

/// <summary>The master-data KPIs over a period.</summary>
public sealed record KpiReportDto(DateOnly From, DateOnly To, IReadOnlyDictionary<string, long> Totals, double IdentifiedShare, IReadOnlyList<KpiDayDto> Days);

/// <summary>The master-data KPIs for the dashboard panel and for export.</summary>
public static class MasterDataApi
{
    public static IEndpointRouteBuilder MapMasterDataApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/masterdata").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Master data")
            .MapGet("/kpis", GetKpisAsync).WithName("GetMasterDataKpis")
            .WithSummary("Offline orders identified, bill QR scans → codes sent → verified, messages and cost, referrals, points; by day");
        return app;
    }

    private static async Task<Results<Ok<KpiReportDto>, ValidationProblem>> GetKpisAsync(
        HttpContext http, IGrainFactory grains, TimeProvider clock, string? from = null, string? to = null)
    {
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        if (!TryDay(to, today, out var end) || !TryDay(from, end.AddDays(-29), out var start) || start > end)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from and to are days (yyyy-MM-dd), from not after to"] });
        }
        var report = await grains.GetGrain<IMasterDataKpiGrain>(http.User.Tenant()).GetAsync(start, end);
        return TypedResults.Ok(ToDto(report, start, end));
    }

    public static KpiReportDto ToDto(KpiReport report, DateOnly from, DateOnly to) => new(
        from, to, Named(report.Totals), report.IdentifiedShare,
        [.. report.Days.Select(d => new KpiDayDto(d.Day, Named(d.Counts), Share(d)))]);

    private static double Share(KpiDay d) => d[Kpi.OfflineOrders] == 0 ? 0
        : (double)(d[Kpi.OfflineIdentifiedAtSale] + d[Kpi.OfflineIdentifiedLater]) / d[Kpi.OfflineOrders];

    private static Dictionary<string, long> Named(IReadOnlyList<long> counts) =>
        Enum.GetValues<Kpi>().ToDictionary(k => JsonName(k), k => (int)k < counts.Count ? counts[(int)k] : 0);

    private static string JsonName(Kpi kpi) => string.Concat(char.ToLowerInvariant(kpi.ToString()[0]), kpi.ToString()[1..]);

    private static bool TryDay(string? raw, DateOnly fallback, out DateOnly day)
    {
        if (raw is null)
        {
            day = fallback;
            return true;
        }
        return DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
