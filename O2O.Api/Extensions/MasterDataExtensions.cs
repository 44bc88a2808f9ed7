using O2O.Api.MasterData;
using O2O.Api.Orders;

namespace O2O.Api.Extensions;

/// <summary>O2O master data: kept orders and imports, bill QR identification, messaging, vouchers, loyalty.</summary>
public static class MasterDataExtensions
{
    public static TBuilder AddMasterData<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<OrderImporter>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMasterData(this IEndpointRouteBuilder app)
    {
        app.MapOrdersApi();
        app.MapMasterDataApi();
        return app;
    }
}
