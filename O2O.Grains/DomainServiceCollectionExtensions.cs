using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using O2O.Grains.Attribution;
using O2O.Grains.Identification;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Grains.Journeys.Messaging;
using O2O.Grains.Leads;
using O2O.Grains.Privacy;
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
        services.AddOptions<IndexOptions>().BindConfiguration(IndexOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AttributionOptions>().BindConfiguration(AttributionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SegmentOptions>().BindConfiguration(SegmentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JourneyOptions>().BindConfiguration(JourneyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Journeys send through the Api's messaging (MessageSender); a silo without it has no channel.
        services.TryAddSingleton<IJourneyMessenger, NoJourneyMessenger>();
        services.AddOptions<OtpOptions>().BindConfiguration(OtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddO2OPrivacy();
    }

    /// <summary>Pseudonym keys and retention, shared by silos and the Api (which computes keys for lookups).</summary>
    public static IServiceCollection AddO2OPrivacy(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Pseudonyms)))
        {
            return services;
        }
        services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Pseudonyms>();
        services.TryAddSingleton<Consent.IConsentChecker, Consent.ConsentChecker>();
        return services;
    }

    /// <summary>What a process that drains a feed into the grains needs.</summary>
    public static IServiceCollection AddO2OEventApplier(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddO2OPrivacy();
        services.TryAddSingleton<IdentityResolver>();
        services.TryAddSingleton<EventApplier>();
        services.TryAddSingleton<Ingestion.Checkpoints.GrainCheckpointer>();
        services.AddOptions<ApplyPolicyOptions>().BindConfiguration(ApplyPolicyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IngestionHealth>();
        services.TryAddSingleton<ApplyPolicy>();
        return services;
    }
}
