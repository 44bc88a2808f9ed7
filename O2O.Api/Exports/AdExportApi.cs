using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Dashboard;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.AdExport;

namespace O2O.Api.Exports;

/// <summary>A marketer's request for an export: the period of the conversions, Vietnam time.</summary>
public sealed record AdExportRequest(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>A prepared export and where to download it.</summary>
public sealed record AdExportPrepared(string ExportId, DateTimeOffset From, DateTimeOffset To, int People, string Meta, string Google);

/// <summary>
/// Offline conversions for ad platforms, for marketers: prepare an export (it fixes the period and the
/// people who allow sharing at that moment), then download it as Meta Conversions API JSON or Google
/// Ads CSV. Each download asks every person's consent again, so a withdrawal takes them out at once.
/// </summary>
public static class AdExportApi
{
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(92);

    public static IEndpointRouteBuilder MapAdExportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/exports/ad-conversions").RequireAuthorization(MarketerSignIn.Policy).WithTags("Exports");
        api.MapPost("/", PrepareAsync).WithName("PrepareAdExport").WithSummary("Prepare an offline-conversion export of people who allow sharing with ad platforms");
        api.MapGet("/{exportId}/meta.json", MetaAsync).WithName("DownloadMetaOfflineEvents").WithSummary("Meta Conversions API offline events (hashed)");
        api.MapGet("/{exportId}/google.csv", GoogleAsync).WithName("DownloadGoogleOfflineConversions").WithSummary("Google Ads offline conversions with user-provided data (hashed)");
        return app;
    }

    private static async Task<Results<Created<AdExportPrepared>, ValidationProblem>> PrepareAsync(
        AdExportRequest request, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var to = request.To ?? now;
        var from = request.From ?? to - TimeSpan.FromDays(30);
        if (from >= to || to - from > MaxPeriod)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = [$"must be before 'to', at most {MaxPeriod.TotalDays:0} days earlier"] });
        }
        var tenant = http.User.Tenant();
        var people = await grains.GetGrain<IAdAudienceGrain>(tenant).GetAsync();
        var exportId = "x" + Guid.CreateVersion7(now).ToString("N");
        await grains.GetGrain<IAdExportGrain>(TenantKey.Compose(tenant, exportId)).PrepareAsync(new PreparedExport(from, to, people, now));
        var self = $"/api/exports/ad-conversions/{exportId}";
        return TypedResults.Created(self, new AdExportPrepared(exportId, from, to, people.Count, self + "/meta.json", self + "/google.csv"));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> MetaAsync(string exportId, HttpContext http, IGrainFactory grains) =>
        await PeopleAsync(exportId, http, grains) is { } people
            ? TypedResults.Content(AdPlatformFormats.MetaOfflineEvents(people), "application/json")
            : NotFound(exportId);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GoogleAsync(string exportId, HttpContext http, IGrainFactory grains)
    {
        if (await PeopleAsync(exportId, http, grains) is not { } people)
        {
            return NotFound(exportId);
        }
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"google-offline-conversions-{exportId}.csv\"";
        return TypedResults.Content(AdPlatformFormats.GoogleOfflineCsv(people), "text/csv; charset=utf-8");
    }

    /// <summary>The people of a prepared export who still allow sharing, with their conversions in its period.</summary>
    private static async Task<List<AdExportPerson>?> PeopleAsync(string exportId, HttpContext http, IGrainFactory grains)
    {
        var tenant = http.User.Tenant();
        if (await grains.GetGrain<IAdExportGrain>(TenantKey.Compose(tenant, exportId)).GetAsync() is not { } export)
        {
            return null;
        }
        // Asked again now: the profile grain answers from its consent ledger, so a withdrawal since preparing counts.
        var people = await Task.WhenAll(export.ProfileIds.Select(id =>
            grains.GetGrain<Grains.Profiles.ICustomerGrain>(TenantKey.Compose(tenant, id)).GetAdConversionsAsync(export.From, export.To)));
        return [.. people.OfType<AdExportPerson>().Where(p => p.Conversions.Count > 0)];
    }

    private static ProblemHttpResult NotFound(string exportId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No prepared export '{exportId}'.");
}
