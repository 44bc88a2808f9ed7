using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using O2O.Grains.Attribution;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Grains.Journeys.Messaging;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Grains.Stores;

namespace O2O.Grains;

public static class DomainServiceCollectionExtensions
{
    /// <summary>Options the grains read, validated at start.</summary>
    public static IServiceCollection AddO2OGrainOptions(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProfileOptions>().BindConfiguration(ProfileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LeadOptions>().BindConfiguration(LeadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IntentOptions>().BindConfiguration(IntentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StateWriteOptions>();
        services.AddOptions<AttributionOptions>().BindConfiguration(AttributionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SegmentOptions>().BindConfiguration(SegmentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JourneyOptions>().BindConfiguration(JourneyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMessageSender, SmtpEmailSender>());
        services.TryAddSingleton<MessageSenders>();
        return services;
    }

    /// <summary>What a process that drains a feed into the grains needs.</summary>
    public static IServiceCollection AddO2OEventApplier(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IdentityResolver>();
        services.TryAddSingleton<EventApplier>();
        return services;
    }
}
