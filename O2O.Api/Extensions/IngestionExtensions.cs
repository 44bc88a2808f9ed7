using O2O.Api.EventHubs;
using O2O.Api.Ingestion;
using O2O.Grains.Ingestion;
using O2O.Silo.EventHubs;
using O2O.Silo.Hosting;

namespace O2O.Api.Extensions;

public static class IngestionExtensions
{
    /// <summary>Parsing, the event feed and the pump that drains it into the grains.</summary>
    public static TBuilder AddIngestion<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<EventParser>();
        if (builder.Configuration.HasEventHubs())
        {
            // Durable path: the event hub holds accepted events; silos' consumers apply them.
            builder.Services.AddEventHubsOptions();
            builder.Services.AddSingleton<KafkaEventFeed>();
            builder.Services.AddSingleton<IEventFeed>(sp => sp.GetRequiredService<KafkaEventFeed>());
            return builder;
        }
        builder.Services.AddOptions<InProcessFeedOptions>().BindConfiguration(InProcessFeedOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<InProcessEventFeed>();
        builder.Services.AddSingleton<IEventFeed>(sp => sp.GetRequiredService<InProcessEventFeed>());
        builder.Services.AddHostedService<EventPump>();
        builder.Services.AddHealthChecks().AddIngestionCheck();
        return builder;
    }
}
