using O2O.Api.Ingestion;
using O2O.Grains.Ingestion;

namespace O2O.Api.Extensions;

public static class IngestionExtensions
{
    /// <summary>Parsing, the event feed and the pump that drains it into the grains.</summary>
    public static TBuilder AddIngestion<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<EventParser>();
        builder.Services.AddOptions<InProcessFeedOptions>().BindConfiguration(InProcessFeedOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<InProcessEventFeed>();
        builder.Services.AddSingleton<IEventFeed>(sp => sp.GetRequiredService<InProcessEventFeed>());
        builder.Services.AddHostedService<EventPump>();
        return builder;
    }
}
