using O2O.Api.Identification;
using O2O.Api.Loyalty;
using O2O.Api.MasterData;
using O2O.Api.Messaging;
using O2O.Api.Orders;
using O2O.Api.Vouchers;
using O2O.Grains.Loyalty;

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
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BillLinks>();
        services.AddSingleton<BillIdentification>();
        services.AddOptions<ReferralOptions>().BindConfiguration(ReferralOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Referrals>();

        // Providers are called once per attempt; MessageSender decides retries from the provider's
        // answer, so the default resilience handler (which would repeat a POST that may have sent) is off.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt one client out.
        services.AddHttpClient<ZnsChannel>(ZnsChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllResilienceHandlers();
        services.AddHttpClient<EsmsSmsChannel>(EsmsSmsChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<IMessageChannel>(sp => sp.GetRequiredService<ZnsChannel>());
        services.AddSingleton<IMessageChannel>(sp => sp.GetRequiredService<EsmsSmsChannel>());
        services.AddSingleton<IMessageChannel, SmtpEmailChannel>();
        services.AddSingleton<IConsentCheck, AllowUnlessOptedOutConsent>();
        services.AddSingleton<MessageSender>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMasterData(this IEndpointRouteBuilder app)
    {
        app.MapOrdersApi();
        app.MapMasterDataApi();
        app.MapBillApi();
        app.MapMessagingApi();
        app.MapLoyaltyApi();
        app.MapVouchersApi();
        return app;
    }
}
