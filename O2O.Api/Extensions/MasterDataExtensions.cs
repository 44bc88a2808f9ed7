using O2O.Api.Identification;
using O2O.Api.Loyalty;
using O2O.Api.MasterData;
using O2O.Api.Messaging;
using O2O.Api.Orders;
using O2O.Api.Vouchers;
using O2O.Grains.Loyalty;
using O2O.Silo.Messaging;

namespace O2O.Api.Extensions;

/// <summary>O2O master data: kept orders and imports, bill QR identification, messaging, vouchers, loyalty.</summary>
public static class MasterDataExtensions
{
    public static TBuilder AddMasterData<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddSingleton<OrderImporter>();
        services.AddOptions<BillLinkOptions>().BindConfiguration(BillLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LoyaltyOptions>().BindConfiguration(LoyaltyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BillLinks>();
        services.AddSingleton<BillIdentification>();
        services.AddOptions<ReferralOptions>().BindConfiguration(ReferralOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Referrals>();
        services.AddSingleton<ViberWebhook>();

        // The Api sends codes, order links and referrals itself, through the same messaging a silo has.
        builder.AddO2OMessaging();
        return builder;
    }

    public static IEndpointRouteBuilder MapMasterData(this IEndpointRouteBuilder app)
    {
        app.MapOrdersApi();
        app.MapMasterDataApi();
        app.MapBillApi();
        app.MapMessagingApi();
        app.MapWebPushApi();
        app.MapDeliveryReportsApi();
        app.MapViberApi();
        app.MapLoyaltyApi();
        app.MapVouchersApi();
        return app;
    }
}
