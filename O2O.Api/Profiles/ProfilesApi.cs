using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;

namespace O2O.Api.Profiles;

/// <summary>Reading customer profiles, by profile id or through any identifier. Erasure is a data-subject request: see <c>DataSubjectApi</c>.</summary>
public static class ProfilesApi
{
    public static IEndpointRouteBuilder MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/profiles").WithTags("Profiles");
        api.MapGet("/{id}", GetByIdAsync).RequireAuthorization(O2OPolicies.Read).WithName("GetProfile").WithSummary("A profile by its id");
        api.MapGet("/", FindAsync).RequireAuthorization(O2OPolicies.Read).WithName("FindProfile").WithSummary("A profile through one identifier: phone, email, userId or anonymousId");
        return app;
    }

    private static async Task<Results<Ok<ProfileView>, ProblemHttpResult>> GetByIdAsync(string id, HttpContext http, IGrainFactory grains)
    {
        var view = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(http.User.Tenant(), id)).GetAsync();
        return view is null ? NotFound($"No profile '{id}'.") : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<ProfileView>, ProblemHttpResult, ValidationProblem>> FindAsync(
        HttpContext http, IGrainFactory grains, Grains.Privacy.Pseudonyms pseudonyms, string? phone = null, string? email = null, string? userId = null, string? anonymousId = null)
    {
        Identifier id;
        if (phone is not null)
        {
            if (ContactPoints.NormalizePhone(phone) is not { } normalized)
            {
                return Invalid("phone", "is not a valid phone number");
            }
            id = new Identifier(IdentifierKind.Phone, normalized);
        }
        else if (email is not null)
        {
            if (ContactPoints.NormalizeEmail(email) is not { } normalized)
            {
                return Invalid("email", "is not a valid email address");
            }
            id = new Identifier(IdentifierKind.Email, normalized);
        }
        else if (!string.IsNullOrEmpty(userId))
        {
            id = new Identifier(IdentifierKind.UserId, userId);
        }
        else if (!string.IsNullOrEmpty(anonymousId))
        {
            id = new Identifier(IdentifierKind.Anonymous, anonymousId);
        }
        else
        {
            return Invalid("phone", "give one of phone, email, userId or anonymousId");
        }

        var tenant = http.User.Tenant();
        var view = await grains.ProfileOfAsync(tenant, id, pseudonyms);
        return view is null ? NotFound("No profile has that identifier.") : TypedResults.Ok(view);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
