using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Dashboard;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;

namespace O2O.Api.Segments;

/// <summary>The ten segments: sizes, entries and exits per day, members as CSV.</summary>
public static class SegmentsApi
{
    private const int ExportPage = 500;

    public static IEndpointRouteBuilder MapSegmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/segments").RequireAuthorization(MarketerSignIn.Policy).WithTags("Segments");
        api.MapGet("/", ListAsync).WithName("ListSegments").WithSummary("Every segment with its size and entries/exits per day");
        api.MapGet("/{segment}/members.csv", ExportAsync).WithName("ExportSegment")
            .WithSummary("Members as CSV (UTF-8 with BOM, opens in Excel): profile id, name, phone, email, last store, orders, revenue");
        return app;
    }

    /// <summary>Sizes and the last <paramref name="days"/> days (1-90, default 14) of every segment.</summary>
    public static Task<SegmentStats[]> StatsAsync(IGrainFactory grains, string tenant, int days) =>
        Task.WhenAll(SegmentCatalog.All.Select(s => grains.GetGrain<ISegmentGrain>(SegmentKey.For(tenant, s)).GetStatsAsync(days)));

    private static async Task<Results<Ok<SegmentStats[]>, ValidationProblem>> ListAsync(HttpContext http, IGrainFactory grains, int? days)
    {
        if (days is < 1 or > SegmentGrain.DaysKept)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = [$"1 to {SegmentGrain.DaysKept}."] });
        }
        return TypedResults.Ok(await StatsAsync(grains, http.User.Tenant(), days ?? 14));
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportAsync(string segment, HttpContext http, IGrainFactory grains)
    {
        if (!SegmentCatalog.TryParse(segment, out var which))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["segment"] = [$"Unknown segment; one of {string.Join(", ", SegmentCatalog.All.Select(SegmentCatalog.Slug))}."],
            });
        }
        var tenant = http.User.Tenant();
        var group = grains.GetGrain<ISegmentGrain>(SegmentKey.For(tenant, which));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            csv.WriteHeader<MemberRow>();
            csv.NextRecord();
            for (var skip = 0; ; skip += ExportPage)
            {
                var ids = await group.GetMembersAsync(skip, ExportPage);
                var rows = await Task.WhenAll(ids.Select(async id =>
                {
                    var c = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, id)).GetContactAsync();
                    var p = c is null ? null : await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, id)).GetAsync();
                    return new MemberRow(id, c?.Name, c?.Phone, c?.Email, c?.StoreId, p?.Totals.Orders ?? 0, p?.Totals.Revenue ?? 0, p?.MasterChannel?.ToString());
                }));
                csv.WriteRecords(rows);
                if (ids.Count < ExportPage)
                {
                    break;
                }
            }
        }
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(writer.ToString())).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"{SegmentCatalog.Slug(which)}.csv");
    }

    private sealed record MemberRow(string ProfileId, string? Name, string? Phone, string? Email, string? LastStore, int Orders, long Revenue, string? MasterChannel);
}
