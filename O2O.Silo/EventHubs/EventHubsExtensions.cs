using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace O2O.Silo.EventHubs;

public static class EventHubsExtensions
{
    /// <summary>True when <c>ConnectionStrings:eventhubs</c> is set: events then travel through the event hub.</summary>
    public static bool HasEventHubs(this IConfiguration configuration) =>
        configuration.GetConnectionString(EventHubsConnection.ConnectionName) is not null;

    /// <summary>The <c>O2O:EventHubs</c> options, with the connection string checked at start.</summary>
    public static IServiceCollection AddEventHubsOptions(this IServiceCollection services)
    {
        services.AddOptions<EventHubsOptions>().BindConfiguration(EventHubsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Embedded mode registers these twice (Api feed and silo consumer); once is enough.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<EventHubsOptions>, EventHubsOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventHubsOptions>, EventHubsOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(EventHubsHealthCheck)))
        {
            services.AddSingleton<EventHubsHealthCheck>();
            services.AddHealthChecks().AddCheck<EventHubsHealthCheck>("eventhubs", tags: ["ready"]);
        }
        return services;
    }

    /// <summary>When Event Hubs is configured, this process drains it into the grains as a member of the consumer group.</summary>
    public static TBuilder AddEventHubsConsumer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (builder.Configuration.HasEventHubs())
        {
            builder.Services.AddEventHubsOptions();
            builder.Services.AddHostedService<EventHubsConsumer>();
            builder.Services.AddHostedService<GroupProgressWatch>();
        }
        return builder;
    }
}
