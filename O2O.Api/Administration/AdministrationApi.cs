using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Api.Sources;
using O2O.Grains.Administration;

namespace O2O.Api.Administration;

public sealed record StoreRequest(string? Name, string? Address, string? Region, string? OpeningHours, string? TimeZone, IReadOnlyList<string>? Teams);

public sealed record ConsultantRequest(string? Team, IReadOnlyList<string>? Skills, int? MaxOpenLeads);

public sealed record SourceRequest(string? Name, IReadOnlyList<string>? AllowedOrigins, int? RateLimit, TimeSpan? RateLimitPeriod);

public sealed record RotateRequest(TimeSpan? Overlap);

public sealed record TokenRequest(string? Name, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt);

/// <summary>A source with its new write key: the only time the key is shown.</summary>
public sealed record SourceWithKey(SourceSettings Source, string WriteKey);

/// <summary>A token with its secret: the only time it is shown.</summary>
public sealed record TokenWithSecret(ApiTokenSettings Token, string Secret);

/// <summary>
/// The tenant's administration for admins (<c>/api/admin</c>): stores, consultants, sources and
/// their write keys, API tokens, and the audit trail. Changes apply on every node without a restart.
/// </summary>
public static partial class AdministrationApi
{
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);

    public static IEndpointRouteBuilder MapAdministrationApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin", () => TypedResults.Redirect("/admin/index.html")).AllowAnonymous().ExcludeFromDescription();
        var api = app.MapGroup("/api/admin").RequireAuthorization(O2OPolicies.Admin).WithTags("Administration");
        api.MapGet("/", GetAsync).WithName("Administration").WithSummary("Stores, consultants, sources and tokens (no secrets)");
        api.MapGet("/audit", AuditAsync).WithName("AuditTrail").WithSummary("Who changed what, when: newest first");
        api.MapPut("/stores/{code}", SaveStoreAsync).WithName("SaveStore").WithSummary("Adds or replaces a store");
        api.MapDelete("/stores/{code}", RemoveStoreAsync).WithName("RemoveStore").WithSummary("Removes a store");
        api.MapPut("/consultants/{id}", UpdateConsultantAsync).WithName("UpdateConsultant").WithSummary("Sets a consultant's team, skills and concurrent-lead cap");
        api.MapPost("/sources", CreateSourceAsync).WithName("CreateSource").WithSummary("Creates a source; its write key is shown once");
        api.MapPut("/sources/{id}", UpdateSourceAsync).WithName("UpdateSource").WithSummary("Renames a source, sets its web origins and rate limit");
        api.MapPost("/sources/{id}/rotate", RotateAsync).WithName("RotateWriteKey").WithSummary("A new write key (shown once); the old ones work for the overlap");
        api.MapPost("/sources/{id}/revoke", RevokeSourceAsync).WithName("RevokeSource").WithSummary("Stops every write key of the source at once");
        api.MapPost("/tokens", CreateTokenAsync).WithName("CreateToken").WithSummary("Makes an API token with scopes and expiry; shown once");
        api.MapPost("/tokens/{id}/revoke", RevokeTokenAsync).WithName("RevokeToken").WithSummary("Stops an API token at once");
        return app;
    }

    private static ITenantAdministrationGrain Admin(IGrainFactory grains, ClaimsPrincipal user) =>
        grains.GetGrain<ITenantAdministrationGrain>(user.Tenant());

    private static async Task<Ok<TenantAdministration>> GetAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await Admin(grains, user).GetAsync());

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> AuditAsync(ClaimsPrincipal user, IGrainFactory grains, int take = 100) =>
        take is < 1 or > TenantAdministrationGrain.AuditLimit
            ? Invalid("take", $"must be from 1 to {TenantAdministrationGrain.AuditLimit}")
            : TypedResults.Ok(await Admin(grains, user).GetAuditAsync(take));

    private static async Task<Results<Ok<StoreSettings>, ValidationProblem>> SaveStoreAsync(string code, StoreRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Code().IsMatch(code))
        {
            errors["code"] = ["letters, digits, '-' or '_', at most 40"];
        }
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors["name"] = ["is required"];
        }
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? "Asia/Ho_Chi_Minh" : request.TimeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors["timeZone"] = ["is not a known IANA time zone (e.g. Asia/Ho_Chi_Minh)"];
        }
        var teams = (request.Teams ?? [code]).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (teams.Any(t => !Code().IsMatch(t)))
        {
            errors["teams"] = ["each team is letters, digits, '-' or '_', at most 40"];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var store = new StoreSettings(code, request.Name!.Trim(), Trimmed(request.Address), Trimmed(request.Region), Trimmed(request.OpeningHours), zone, teams);
        return TypedResults.Ok(await Admin(grains, user).SaveStoreAsync(user.Actor(), store));
    }

    private static async Task<Results<NoContent, NotFound>> RemoveStoreAsync(string code, ClaimsPrincipal user, IGrainFactory grains) =>
        await Admin(grains, user).RemoveStoreAsync(user.Actor(), code) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Ok<ConsultantSettings>, ValidationProblem, ProblemHttpResult>> UpdateConsultantAsync(
        string id, ConsultantRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var team = Trimmed(request.Team);
        if (team is not null && !Code().IsMatch(team))
        {
            return Invalid("team", "letters, digits, '-' or '_', at most 40");
        }
        if (request.MaxOpenLeads is < 1 or > 1000)
        {
            return Invalid("maxOpenLeads", "must be from 1 to 1000");
        }
        var skills = (request.Skills ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return await Admin(grains, user).UpdateConsultantAsync(user.Actor(), id, team, skills, request.MaxOpenLeads) is { } updated
            ? TypedResults.Ok(updated)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown consultant",
                detail: "Consultants appear here once they have signed in with the identity provider.");
    }

    private static async Task<Results<Created<SourceWithKey>, ValidationProblem>> CreateSourceAsync(SourceRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (Validate(request) is { } problem)
        {
            return problem;
        }
        var key = Secrets.New(CredentialKind.WriteKey);
        var id = "src_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
        var source = await Admin(grains, user).CreateSourceAsync(user.Actor(), id, Terms(request), Secrets.Digest(key))
            ?? throw new InvalidOperationException("A fresh source id was taken.");
        return TypedResults.Created($"/api/admin/sources/{id}", new SourceWithKey(source, key));
    }

    private static async Task<Results<Ok<SourceSettings>, ValidationProblem, NotFound>> UpdateSourceAsync(string id, SourceRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (Validate(request) is { } problem)
        {
            return problem;
        }
        return await Admin(grains, user).UpdateSourceAsync(user.Actor(), id, Terms(request)) is { } updated
            ? TypedResults.Ok(updated)
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<SourceWithKey>, ValidationProblem, ProblemHttpResult>> RotateAsync(string id, RotateRequest? request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var overlap = request?.Overlap ?? TimeSpan.FromDays(1);
        if (overlap < TimeSpan.Zero || overlap > MaxOverlap)
        {
            return Invalid("overlap", "must be from 00:00:00 to 30.00:00:00");
        }
        var key = Secrets.New(CredentialKind.WriteKey);
        return await Admin(grains, user).RotateSourceKeyAsync(user.Actor(), id, Secrets.Digest(key), overlap) is { } rotated
            ? TypedResults.Ok(new SourceWithKey(rotated, key))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such source", detail: "The source is unknown or revoked.");
    }

    private static async Task<Results<Ok<SourceSettings>, NotFound>> RevokeSourceAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await Admin(grains, user).RevokeSourceAsync(user.Actor(), id) is { } revoked ? TypedResults.Ok(revoked) : TypedResults.NotFound();

    private static async Task<Results<Created<TokenWithSecret>, ValidationProblem>> CreateTokenAsync(TokenRequest request, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100)
        {
            errors["name"] = ["is required, at most 100 characters"];
        }
        var scopes = (request.Scopes ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (scopes.Count == 0 || !scopes.All(Scopes.All.Contains))
        {
            errors["scopes"] = ["one or more of ingest, read, erase, admin, contacts"];
        }
        if (request.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
        {
            errors["expiresAt"] = ["must be in the future"];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var secret = Secrets.New(CredentialKind.ApiToken);
        var id = "tok_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
        var token = await Admin(grains, user).CreateTokenAsync(user.Actor(), id, request.Name!.Trim(), scopes, request.ExpiresAt, Secrets.Digest(secret))
            ?? throw new InvalidOperationException("A fresh token id was taken.");
        return TypedResults.Created($"/api/admin/tokens/{id}", new TokenWithSecret(token, secret));
    }

    private static async Task<Results<Ok<ApiTokenSettings>, NotFound>> RevokeTokenAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await Admin(grains, user).RevokeTokenAsync(user.Actor(), id) is { } revoked ? TypedResults.Ok(revoked) : TypedResults.NotFound();

    private static ValidationProblem? Validate(SourceRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100)
        {
            errors["name"] = ["is required, at most 100 characters"];
        }
        if ((request.AllowedOrigins ?? []).FirstOrDefault(o => !OriginPatterns.IsValid(o)) is { } bad)
        {
            errors["allowedOrigins"] = [$"'{bad}' is not an origin: https://shop.vn, any port http://localhost:*, any subdomain https://*.shop.vn"];
        }
        if (request.RateLimit is < 1 or > 1_000_000)
        {
            errors["rateLimit"] = ["must be from 1 to 1000000"];
        }
        if (request.RateLimitPeriod is { } period && (period <= TimeSpan.Zero || period > TimeSpan.FromHours(1)))
        {
            errors["rateLimitPeriod"] = ["must be more than 00:00:00 and at most 01:00:00"];
        }
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private static SourceTerms Terms(SourceRequest request) => new(
        request.Name!.Trim(),
        [.. (request.AllowedOrigins ?? []).Select(o => o.Trim().TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase)],
        request.RateLimit,
        request.RateLimitPeriod ?? TimeSpan.FromSeconds(1));

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex Code();
}
