using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Grains.Leads;

namespace O2O.Api.Consultants;

public sealed record SignInRequest(string? ConsultantId);

public sealed record DemoConsultantView(string Id, string Name, string Tenant, string Team, ConsultantRole Role);

public sealed record SignInResponse(string Token, DemoConsultantView Consultant);

/// <summary>The consultant page, and in Development the demo consultants' sign-in.</summary>
public static class ConsultantsApi
{
    public static IEndpointRouteBuilder MapConsultantsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/consultant", () => TypedResults.Redirect("/consultant/index.html")).AllowAnonymous().ExcludeFromDescription();
        if (app.ServiceProvider.GetRequiredService<IOptions<ConsultantOptions>>().Value is { DemoSignIn: true, Demo.Count: > 0 })
        {
            var demo = app.MapGroup("/consultant").WithTags("Consultants").AllowAnonymous();
            demo.MapGet("/demo", DemoConsultants).WithSummary("Demo consultants one can sign in as (Development only)");
            demo.MapPost("/sign-in", SignIn).WithSummary("Issues a demo consultant's token (Development only)");
        }
        return app;
    }

    private static Ok<IEnumerable<DemoConsultantView>> DemoConsultants(IOptions<ConsultantOptions> options) =>
        TypedResults.Ok(options.Value.Demo.Select(View));

    private static Results<Ok<SignInResponse>, ValidationProblem> SignIn(SignInRequest request, IOptions<ConsultantOptions> options, ConsultantTokens tokens)
    {
        var match = options.Value.Demo.FirstOrDefault(d => string.Equals(d.Id, request.ConsultantId, StringComparison.Ordinal));
        if (match is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["consultantId"] = ["is not a demo consultant"] });
        }
        var token = tokens.Issue(match.Tenant, new Consultant(match.Id, match.Name, match.Team, match.Role));
        return TypedResults.Ok(new SignInResponse(token, View(match)));
    }

    private static DemoConsultantView View(DemoConsultant d) => new(d.Id, d.Name, d.Tenant, d.Team, d.Role);
}
