using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Campaigns;
using O2O.Grains.Directory;

namespace O2O.Api.Campaigns;

/// <summary>Campaign funnels: unique people per step, conversion and drop-off, by source/medium/content.</summary>
public static class CampaignsApi
{
    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/campaigns").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Campaigns");
        api.MapGet("/", ListAsync).WithName("ListCampaigns").WithSummary("Every campaign that has touched someone");
        api.MapGet("/{id}", GetAsync).WithName("GetCampaign").WithSummary("One campaign's funnel");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<string>>> ListAsync(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<ITenantDirectoryGrain>(http.User.Tenant()).GetAsync()).Campaigns);

    private static async Task<Ok<CampaignReport>> GetAsync(string id, HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ICampaignGrain>(TenantKey.Compose(http.User.Tenant(), id)).GetReportAsync());
}
