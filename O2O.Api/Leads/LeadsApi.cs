using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Administration;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;

namespace O2O.Api.Leads;

/// <summary>A lead as a list of hottest leads shows it.</summary>
public sealed record LeadView(
    string ProfileId, string? Name, string? MaskedPhone, int Score, bool IsHot, FunnelStage Stage, string? StoreId, IReadOnlyList<ScoreReason> Reasons);

/// <summary>The hottest leads, tenant-wide or per store.</summary>
public static class LeadsApi
{
    public static IEndpointRouteBuilder MapLeadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/leads").RequireAuthorization(O2OPolicies.Leads).WithTags("Leads");
        api.MapGet("/top", TopAsync).WithName("TopLeads").WithSummary("Hottest leads by current score");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<LeadView>>, ValidationProblem, ProblemHttpResult>> TopAsync(
        HttpContext http, IGrainFactory grains, IOptions<ScoringOptions> scoring, string? storeId = null, int take = 20)
    {
        if (take is < 1 or > LeadBoardGrain.Capacity)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["take"] = [$"must be from 1 to {LeadBoardGrain.Capacity}"] });
        }
        if (!http.User.HasScope(Scopes.Read))
        {
            // A manager sees their own store's leads only.
            var team = http.User.FindFirst(O2OClaims.Team)!.Value;
            if (storeId is not null && !string.Equals(storeId, team, StringComparison.Ordinal))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your store",
                    detail: $"storeId: managers see their own store's leads only ({team}).");
            }
            storeId = team;
        }
        var board = grains.GetGrain<ILeadBoardGrain>(TenantKey.Compose(http.User.Tenant(), storeId ?? ILeadBoardGrain.AllStores));
        var hot = scoring.Value.HotThreshold;
        IReadOnlyList<LeadView> leads = [.. (await board.GetTopAsync(take)).Select(l =>
        {
            var score = ScoreCard.Display(l.RawScore);
            return new LeadView(l.ProfileId, l.Name, l.MaskedPhone, score, score >= hot, l.Stage, l.StoreId, l.TopReasons);
        })];
        return TypedResults.Ok(leads);
    }
}
