using Microsoft.Extensions.DependencyInjection.Extensions;
using O2O.Grains.Journeys.Messaging;

namespace O2O.Silo.Messaging;

/// <summary>
/// The product's messaging (section <c>O2O:Messaging</c>): registered wherever messages are sent from,
/// every silo (journey grains send from there) and the Api (codes, order links, referrals), from the
/// same configuration keys. Registering twice (an Api that embeds its silo) changes nothing.
/// </summary>
public static class MessagingExtensions
{
    public static TBuilder AddO2OMessaging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(MessageSender)))
        {
            return builder;
        }
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Providers are called once per attempt; MessageSender decides retries from the provider's
        // answer, so the default resilience handler (which would repeat a POST that may have sent) is off.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt one client out.
        services.AddHttpClient<ZnsChannel>(ZnsChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllResilienceHandlers();
        services.AddHttpClient<EsmsSmsChannel>(EsmsSmsChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllResilienceHandlers();
        services.AddHttpClient<ViberChannel>(ViberChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllResilienceHandlers();
        services.AddHttpClient<WebPushChannel>(WebPushChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<IMessageChannel>(sp => sp.GetRequiredService<ZnsChannel>());
        services.AddSingleton<IMessageChannel>(sp => sp.GetRequiredService<EsmsSmsChannel>());
        services.AddSingleton<IMessageChannel>(sp => sp.GetRequiredService<ViberChannel>());
        services.AddSingleton<IMessageChannel>(sp => sp.GetRequiredService<WebPushChannel>());
        services.AddSingleton<IMessageChannel, SmtpEmailChannel>();
        services.AddSingleton<MessageSender>();
        // Replaces the grains' default (no messaging in this process) whichever was registered first.
        services.RemoveAll<IJourneyMessenger>();
        services.AddSingleton<IJourneyMessenger, JourneyMessenger>();
        return builder;
    }
}
