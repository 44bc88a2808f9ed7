using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Extensions;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Leads;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;

namespace O2O.Api.Privacy;

/// <summary>What the right of access hands over: the profile, consents, conversions, the open lead, past requests.</summary>
public sealed record SubjectAccessDocument(
    DateTimeOffset ExportedAt,
    SubjectExport Person,
    LeadCard? OpenLead,
    IReadOnlyList<SubjectRequestRecord> Requests);

/// <summary>Corrections: a value replaces a trait, null removes it.</summary>
public sealed record TraitCorrection(Dictionary<string, string?>? Traits);

/// <summary>
/// Data-subject rights for tokens with the <c>erase</c> (or <c>admin</c>) scope: access (export as JSON),
/// correction, erasure with a receipt, and the audit trail of every request served.
/// </summary>
public static partial class DataSubjectApi
{
    private const int MaxTraitLength = 500;

    public static IEndpointRouteBuilder MapDataSubjectApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/privacy").RequireAuthorization(O2OPolicies.Erase).WithTags("Privacy");
        api.MapGet("/subjects", ExportAsync).WithName("ExportSubject").WithSummary("Everything held about a person (right of access), as JSON");
        api.MapPatch("/subjects/traits", CorrectAsync).WithName("CorrectSubject").WithSummary("Correct or remove a person's traits (right to rectification)");
        api.MapPost("/erasures", EraseAsync).WithName("EraseSubject").WithSummary("Erase a person everywhere and suppress their identifiers (right to erasure); returns the receipt");
        api.MapGet("/erasures/{requestId}", ReceiptAsync).WithName("GetErasureReceipt").WithSummary("Proof of a completed erasure");
        api.MapGet("/requests", RequestsAsync).WithName("ListSubjectRequests").WithSummary("The audit trail of data-subject requests, newest first");
        api.MapPost("/retention/sweep", SweepAsync).WithName("SweepRetention").WithSummary("Delete anonymous profiles idle past retention now").WithoutRequestDeadline();
        return app;
    }

    private static async Task<Results<Ok<SubjectAccessDocument>, ProblemHttpResult, ValidationProblem>> ExportAsync(
        SubjectQuery subject, HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms, TimeProvider clock, ILogger<SubjectQuery> logger)
    {
        var (id, pid, errors) = subject.Parse();
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var tenant = http.User.Tenant();
        var (profileId, who) = await SubjectQuery.ResolveAsync(tenant, id, pid, grains, pseudonyms);
        var export = profileId is null ? null : await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).ExportAsync();
        var ledger = grains.GetGrain<IPrivacyLedgerGrain>(tenant);
        var now = clock.GetUtcNow();
        var requestId = NewRequestId(now);
        await ledger.RecordAsync(new SubjectRequestRecord(requestId, SubjectRequestKind.Access, who, profileId, Requester(http.User), now, export is null ? "not found" : "exported", null));
        Served(logger, tenant, SubjectRequestKind.Access, requestId);
        if (export is null)
        {
            return NotFound();
        }
        LeadCard? lead = null;
        if (export.OpenLeadTeam is { } team)
        {
            var open = await grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, team)).GetOpenAsync();
            lead = open.FirstOrDefault(l => l.ProfileId == export.Profile.ProfileId);
        }
        var history = (await ledger.GetAsync(1000)).Where(r => r.ProfileId == export.Profile.ProfileId || r.Subject == who).ToList();
        return TypedResults.Ok(new SubjectAccessDocument(now, export, lead, history));
    }

    private static async Task<Results<Ok<ProfileView>, ProblemHttpResult, ValidationProblem>> CorrectAsync(
        SubjectQuery subject, TraitCorrection body, HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms, TimeProvider clock, ILogger<SubjectQuery> logger)
    {
        var (id, pid, errors) = subject.Parse();
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (body.Traits is not { Count: > 0 } traits)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["traits"] = ["give the traits to correct: {\"name\": \"...\", \"city\": null}"] });
        }
        if (traits.FirstOrDefault(t => t.Key is "phone" or "email" || t.Key.Length > 64 || t.Value?.Length > MaxTraitLength) is { Key: not null } bad)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [$"traits.{bad.Key}"] = [bad.Key is "phone" or "email" ? "is an identifier, not a trait: erase and re-identify to change it" : $"names and values are at most 64 and {MaxTraitLength} characters"],
            });
        }
        var tenant = http.User.Tenant();
        var (profileId, who) = await SubjectQuery.ResolveAsync(tenant, id, pid, grains, pseudonyms);
        var view = profileId is null ? null : await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).CorrectTraitsAsync(traits);
        var now = clock.GetUtcNow();
        var requestId = NewRequestId(now);
        await grains.GetGrain<IPrivacyLedgerGrain>(tenant).RecordAsync(new SubjectRequestRecord(requestId, SubjectRequestKind.Correction, who, profileId, Requester(http.User), now,
            view is null ? "not found" : "corrected: " + string.Join(", ", traits.Keys.Order(StringComparer.Ordinal)), null));
        Served(logger, tenant, SubjectRequestKind.Correction, requestId);
        return view is null ? NotFound() : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<SubjectRequestRecord>, ProblemHttpResult, ValidationProblem>> EraseAsync(
        SubjectQuery subject, HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms, Grains.Identity.IdentityResolver resolver, TimeProvider clock, ILogger<SubjectQuery> logger)
    {
        var (id, pid, errors) = subject.Parse();
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var tenant = http.User.Tenant();
        var (profileId, who) = await SubjectQuery.ResolveAsync(tenant, id, pid, grains, pseudonyms);
        var receipt = profileId is null ? null : await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).EraseAsync();
        if (id is { } identifier)
        {
            resolver.Forget(tenant, [identifier]);
        }
        var now = clock.GetUtcNow();
        var record = new SubjectRequestRecord(NewRequestId(now), SubjectRequestKind.Erasure, who, receipt?.ProfileId ?? profileId, Requester(http.User), now,
            receipt is null ? "not found" : "erased", receipt);
        await grains.GetGrain<IPrivacyLedgerGrain>(tenant).RecordAsync(record);
        Served(logger, tenant, SubjectRequestKind.Erasure, record.RequestId);
        return receipt is null ? NotFound() : TypedResults.Ok(record);
    }

    private static async Task<Results<Ok<SubjectRequestRecord>, ProblemHttpResult>> ReceiptAsync(string requestId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IPrivacyLedgerGrain>(http.User.Tenant()).FindAsync(requestId) is { } record
            ? TypedResults.Ok(record)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No request '{requestId}'.");

    private static async Task<Ok<IReadOnlyList<SubjectRequestRecord>>> RequestsAsync(HttpContext http, IGrainFactory grains, int take = 100) =>
        TypedResults.Ok(await grains.GetGrain<IPrivacyLedgerGrain>(http.User.Tenant()).GetAsync(Math.Clamp(take, 1, 1000)));

    private static async Task<Ok<RetentionSweepResult>> SweepAsync(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(new RetentionSweepResult(await grains.GetGrain<IRetentionSweepGrain>(http.User.Tenant()).SweepAsync()));

    private static string NewRequestId(DateTimeOffset now) => "dsr-" + Guid.CreateVersion7(now).ToString("N");

    private static string Requester(ClaimsPrincipal user) => user.Identity?.Name ?? user.Identity?.AuthenticationType ?? "unknown";

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No profile has that identifier.");

    private static void Served(ILogger logger, string tenant, SubjectRequestKind kind, string requestId)
    {
        PrivacyTelemetry.SubjectRequests.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
        LogServed(logger, tenant, kind, requestId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data-subject request {Kind} {RequestId} served for tenant {Tenant}")]
    private static partial void LogServed(ILogger logger, string tenant, SubjectRequestKind kind, string requestId);
}

/// <summary>How many anonymous profiles a retention sweep deleted.</summary>
public sealed record RetentionSweepResult(int Expired);
