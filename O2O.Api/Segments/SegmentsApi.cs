using System.Globalization;
using System.Security.Claims;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Dashboard;
using O2O.Api.Privacy;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Administration;
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
            .WithSummary("Members as CSV (UTF-8 with BOM, opens in Excel): profile id, masked phone and email, last store, orders, revenue, master channel; contacts=clear adds names, phones and emails in clear for an admin or a token with the contacts scope, audited");
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

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ExportAsync(
        string segment, HttpContext http, IGrainFactory grains, string? contacts = null)
    {
        if (!SegmentCatalog.TryParse(segment, out var which))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["segment"] = [$"Unknown segment; one of {string.Join(", ", SegmentCatalog.All.Select(SegmentCatalog.Slug))}."],
            });
        }
        if (contacts is not (null or Masked or Clear))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["contacts"] = [$"'{Masked}' (the default) or '{Clear}'."] });
        }
        var clear = contacts == Clear;
        if (clear && !MaySeeContacts(http.User))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Contact points in clear need the contacts permission",
                detail: $"Phones and emails are masked in exports; in clear they are for an admin or an API token with the '{Scopes.Contacts}' scope, and each such export is audited.");
        }
        var tenant = http.User.Tenant();
        var group = grains.GetGrain<ISegmentGrain>(SegmentKey.For(tenant, which));
        var members = new List<MemberRow>();
        for (var skip = 0; ; skip += ExportPage)
        {
            var ids = await group.GetMembersAsync(skip, ExportPage);
            members.AddRange(await Task.WhenAll(ids.Select(async id =>
            {
                var profile = grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, id));
                var c = await profile.GetContactAsync();
                var p = c is null ? null : await profile.GetAsync();
                return clear
                    ? new MemberRow(id, c?.Name, c?.Phone, c?.Email, c?.StoreId, p?.Totals.Orders ?? 0, p?.Totals.Revenue ?? 0, p?.MasterChannel?.ToString())
                    : new MemberRow(id, null, ContactMasking.Phone(c?.Phone), ContactMasking.Email(c?.Email), c?.StoreId, p?.Totals.Orders ?? 0, p?.Totals.Revenue ?? 0, p?.MasterChannel?.ToString());
            })));
            if (ids.Count < ExportPage)
            {
                break;
            }
        }
        if (clear)
        {
            // Durable before a single number leaves: who took which segment's contact points, and how many.
            await grains.GetGrain<ITenantAdministrationGrain>(tenant).RecordAccessAsync(http.User.Actor(), ContactsExportedAction, SegmentCatalog.Slug(which),
                string.Create(CultureInfo.InvariantCulture, $"{members.Count} members, phones and emails in clear"));
        }
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            if (clear)
            {
                csv.WriteRecords(members);
            }
            else
            {
                csv.WriteRecords(members.Select(m => new MaskedMemberRow(m.ProfileId, m.Phone, m.Email, m.LastStore, m.Orders, m.Revenue, m.MasterChannel)));
            }
        }
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(writer.ToString())).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"{SegmentCatalog.Slug(which)}{(clear ? "-contacts" : "")}.csv");
    }

    /// <summary>The audit trail's name for an export of contact points in clear.</summary>
    public const string ContactsExportedAction = "segment.contacts-exported";

    private const string Masked = "masked";
    private const string Clear = "clear";

    /// <summary>Clear phones and emails: a person who is an admin, or a machine given the contacts scope explicitly; a marketer's role alone is not enough.</summary>
    private static bool MaySeeContacts(ClaimsPrincipal user) => user.HasRole(O2ORoles.Admin) || user.HasScope(Scopes.Contacts);

    private sealed record MemberRow(string ProfileId, string? Name, string? Phone, string? Email, string? LastStore, int Orders, long Revenue, string? MasterChannel);

    /// <summary>What a marketer's export holds: no name, phone and email masked.</summary>
    private sealed record MaskedMemberRow(string ProfileId, string? PhoneMasked, string? EmailMasked, string? LastStore, int Orders, long Revenue, string? MasterChannel);
}
