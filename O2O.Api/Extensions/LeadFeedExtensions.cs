using System.Text.Json.Serialization;
using O2O.Api.Consultants;
using O2O.Api.Hubs;
using O2O.Api.Leads;
using StackExchange.Redis;

namespace O2O.Api.Extensions;

public static class LeadFeedExtensions
{
    /// <summary>
    /// The SignalR lead hub (consultants sign in through <see cref="SecurityExtensions"/>), with the Redis
    /// backplane when <c>ConnectionStrings:redis</c> is set, and the bridge that brings grain alerts to it.
    /// </summary>
    public static TBuilder AddLeadFeed<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Keep-alives every 5 s let a consultant's page notice a dead connection within seconds, not half a minute.
        var signalR = builder.Services.AddSignalR(o => o.KeepAliveInterval = TimeSpan.FromSeconds(5))
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var backplane = builder.Configuration.GetConnectionString(LeadFeedOptions.BackplaneConnectionName);
        if (!string.IsNullOrEmpty(backplane))
        {
            signalR.AddStackExchangeRedis(backplane, o => o.Configuration.ChannelPrefix = RedisChannel.Literal("o2o-leads"));
        }
        builder.Services.AddOptions<LeadFeedOptions>().BindConfiguration(LeadFeedOptions.Section)
            .Configure(o => o.SharesBackplane |= !string.IsNullOrEmpty(backplane));
        builder.Services.AddSingleton<LeadHubBridge>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeadHubBridge>());
        return builder;
    }

    /// <summary>The hub, the consultant page's endpoints and on-site intent.</summary>
    public static WebApplication MapLeadFeed(this WebApplication app)
    {
        app.MapHub<LeadsHub>(LeadsHub.Path);
        app.MapConsultantsApi();
        app.MapDecideApi();
        return app;
    }
}
