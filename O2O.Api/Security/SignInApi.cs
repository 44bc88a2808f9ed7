using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Consultants;
using O2O.Api.Demo;

namespace O2O.Api.Security;

public sealed record Me(string Id, string Name, string Tenant, IReadOnlyList<string> Roles, string? Team, bool ViaProvider);

public sealed record SignInChoices(bool Provider, IReadOnlyList<DemoPerson> Demo);

public sealed record DemoPerson(string Id, string Name, IReadOnlyList<string> Roles, string? Team);

public sealed record DemoSignInRequest(string? Id);

/// <summary>
/// Signing people in and out: through the identity provider (<c>/signin</c>), or in Development
/// with one click as a demo person (<c>/signin/demo</c>). The pages ask <c>/me</c> who is signed in.
/// </summary>
public static class SignInApi
{
    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("").WithTags("Sign-in").AllowAnonymous();
        open.MapGet("/signin", SignIn).WithSummary("Signs in with the company's identity provider, then returns to returnUrl");
        open.MapGet("/signin/choices", Choices).WithSummary("Whether a provider is configured, and the demo people (Development)");
        open.MapGet("/signin/failed", () => TypedResults.Content(
            "<!doctype html><meta charset=utf-8><title>O2O</title><p>Đăng nhập không thành công: tài khoản chưa được cấp quyền O2O. <a href=\"/\">Quay lại</a></p>",
            "text/html; charset=utf-8")).ExcludeFromDescription();
        open.MapPost("/signout", SignOutAsync).DisableAntiforgery().WithSummary("Ends the session (and the provider's, when signed in through it)");
        if (app.ServiceProvider.GetRequiredService<IOptions<ConsultantOptions>>().Value.DemoSignIn)
        {
            open.MapPost("/signin/demo", DemoSignInAsync).DisableAntiforgery().WithSummary("Signs in as a demo person (Development only)");
        }
        app.MapGet("/me", WhoAmI).RequireAuthorization(O2OPolicies.Person).WithTags("Sign-in").WithSummary("The signed-in person");
        return app;
    }

    private static Results<ChallengeHttpResult, ProblemHttpResult> SignIn(string? returnUrl, IOptions<IdentityOptions> identity) =>
        identity.Value.Enabled
            ? TypedResults.Challenge(new AuthenticationProperties { RedirectUri = Local(returnUrl) }, [SignInSchemes.Provider])
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No identity provider",
                detail: "O2O:Identity:Authority and ClientId are not configured.");

    private static Ok<SignInChoices> Choices(IOptions<IdentityOptions> identity, IOptions<ConsultantOptions> consultants, IOptions<DemoOptions> demo) =>
        TypedResults.Ok(new SignInChoices(identity.Value.Enabled, DemoPeople(consultants.Value, demo.Value)));

    private static async Task<Results<SignOutHttpResult, RedirectHttpResult>> SignOutAsync(HttpContext http, IOptions<IdentityOptions> identity, string? returnUrl)
    {
        var target = Local(returnUrl);
        if (identity.Value.Enabled && http.User.Identity?.AuthenticationType == SignInSchemes.Provider)
        {
            return TypedResults.SignOut(new AuthenticationProperties { RedirectUri = target }, [SignInSchemes.Session, SignInSchemes.Provider]);
        }
        await http.SignOutAsync(SignInSchemes.Session);
        return TypedResults.Redirect(target);
    }

    private static async Task<Results<Ok<Me>, ValidationProblem>> DemoSignInAsync(
        DemoSignInRequest request, HttpContext http, IOptions<ConsultantOptions> consultants, IOptions<DemoOptions> demo)
    {
        var person = DemoPeople(consultants.Value, demo.Value).FirstOrDefault(p => p.Id == request.Id);
        if (person is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["is not a demo person"] });
        }
        var tenant = consultants.Value.Demo.FirstOrDefault(d => d.Id == person.Id)?.Tenant ?? demo.Value.Tenant;
        var identity = PersonClaims.Identity(SignInSchemes.Session, person.Id, person.Name, tenant, person.Roles, person.Team);
        await http.SignInSessionAsync(identity);
        return TypedResults.Ok(MeOf(new ClaimsPrincipal(identity)));
    }

    private static Ok<Me> WhoAmI(ClaimsPrincipal user) => TypedResults.Ok(MeOf(user));

    private static Me MeOf(ClaimsPrincipal user) => new(
        user.FindFirst(O2OClaims.Subject)?.Value ?? "",
        user.FindFirst(O2OClaims.Name)?.Value ?? "",
        user.FindFirst(O2OClaims.Tenant)?.Value ?? "",
        [.. user.FindAll(O2OClaims.Role).Select(c => c.Value)],
        user.FindFirst(O2OClaims.Team)?.Value,
        user.Identity?.AuthenticationType == SignInSchemes.Provider);

    /// <summary>The demo consultants and managers of configuration, a demo marketer and a demo admin.</summary>
    private static List<DemoPerson> DemoPeople(ConsultantOptions consultants, DemoOptions demo) => !consultants.DemoSignIn ? [] :
    [
        .. consultants.Demo.Select(d => new DemoPerson(d.Id, d.Name,
            [d.Role == O2O.Grains.Leads.ConsultantRole.Manager ? O2ORoles.Manager : O2ORoles.Consultant], d.Team)),
        new DemoPerson("demo-marketer", "Nguyễn Thị Marketing", [O2ORoles.Marketer], null),
        new DemoPerson("demo-admin", "Quản trị viên", [O2ORoles.Admin], null),
    ];

    /// <summary>Only paths on this site: an open redirect would hand the session to someone else's page.</summary>
    private static string Local(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
