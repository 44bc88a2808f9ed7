using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Api.Sources;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;

namespace O2O.Api.Leads;

/// <summary>What the website knows about the visitor right now.</summary>
public sealed record DecideRequest(
    string? SessionId, string? AnonymousId, string? UserId, string? StoreId, int PagesViewed, int SecondsOnSite);

/// <summary>The consultant the website should connect the visitor to.</summary>
public sealed record DecideConsultant(string Id, string Name);

public sealed record DecideResponse(IntentAction Action, string Reason, DecideConsultant? Consultant);

/// <summary><c>POST /v1/decide</c>: the website asks whether to pop up a chat or a call button now.</summary>
public static class DecideApi
{
    public static IEndpointRouteBuilder MapDecideApi(this IEndpointRouteBuilder app)
    {
        // Asked by the shop's pages: CORS and allowed origins as for the source's tracking calls.
        app.MapPost("/v1/decide", DecideAsync).RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Leads")
            .RequireCors(SourceCors.PolicyName).AddEndpointFilter(SourceCors.RefuseOtherOriginsAsync)
            .WithName("Decide").WithSummary("What to show this visitor now: chat, call or nothing");
        return app;
    }

    private static async Task<Results<Ok<DecideResponse>, ValidationProblem>> DecideAsync(
        DecideRequest request, HttpContext http, IGrainFactory grains, IOptions<IntentOptions> options, IOptions<ScoringOptions> scoring, TimeProvider clock, O2O.Grains.Privacy.Pseudonyms pseudonyms)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.SessionId) || request.SessionId.Length > 100)
        {
            errors["sessionId"] = ["is required (1 to 100 characters)"];
        }
        if (string.IsNullOrWhiteSpace(request.AnonymousId) && string.IsNullOrWhiteSpace(request.UserId))
        {
            errors["anonymousId"] = ["give anonymousId or userId"];
        }
        if (request.PagesViewed < 0)
        {
            errors["pagesViewed"] = ["must be 0 or more"];
        }
        if (request.SecondsOnSite < 0)
        {
            errors["secondsOnSite"] = ["must be 0 or more"];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.Tenant();
        var id = string.IsNullOrWhiteSpace(request.UserId)
            ? new Identifier(IdentifierKind.Anonymous, request.AnonymousId!)
            : new Identifier(IdentifierKind.UserId, request.UserId);
        var profile = await grains.ProfileOfAsync(tenant, id, pseudonyms);
        var team = string.IsNullOrWhiteSpace(request.StoreId) ? LeadOptions.OnlineTeam : request.StoreId;
        var consultant = await grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, team)).AvailableConsultantAsync();
        var session = grains.GetGrain<IIntentSessionGrain>(TenantKey.Compose(tenant, request.SessionId!));

        var (action, reason) = OnSiteIntent.Decide(
            request.PagesViewed, request.SecondsOnSite, profile?.LeadScore ?? 0, await session.GetPromptsAsync(), consultant is not null, options.Value);
        if (action != IntentAction.None)
        {
            await session.PromptedAsync();
        }
        return TypedResults.Ok(new DecideResponse(action, reason,
            action == IntentAction.None || consultant is null ? null : new DecideConsultant(consultant.Id, consultant.Name)));
    }
}
