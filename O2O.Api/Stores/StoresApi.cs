using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Directory;
using O2O.Grains.Stores;

namespace O2O.Api.Stores;

/// <summary>Store figures: check-ins, visitors, orders and the walk-in funnel.</summary>
public static class StoresApi
{
    public static IEndpointRouteBuilder MapStoresApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/stores").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Stores");
        api.MapGet("/", ListAsync).WithName("ListStores").WithSummary("Every store that has seen an event");
        api.MapGet("/{storeId}", GetAsync).WithName("GetStore").WithSummary("One store's figures now");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<string>>> ListAsync(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<ITenantDirectoryGrain>(http.User.Tenant()).GetAsync()).Stores);

    private static async Task<Ok<StoreReport>> GetAsync(string storeId, HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IStoreGrain>(TenantKey.Compose(http.User.Tenant(), storeId)).GetReportAsync());
}
