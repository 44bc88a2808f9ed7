using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using O2O.Api.Consultants;
using O2O.Api.Hubs;
using O2O.Api.Leads;
using O2O.Api.Security;
using StackExchange.Redis;

namespace O2O.Api.Extensions;

public static class LeadFeedExtensions
{
    /// <summary>
    /// Consultant JWT sign-in, the SignalR lead hub (with the Redis backplane when
    /// <c>ConnectionStrings:redis</c> is set) and the bridge that brings grain alerts to it.
    /// </summary>
    public static TBuilder AddLeadFeed<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ConsultantOptions>().BindConfiguration(ConsultantOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ConsultantTokens>();
        builder.Services.AddAuthentication().AddJwtBearer(ConsultantClaims.Scheme, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(ConsultantClaims.Scheme).Configure<IOptions<ConsultantOptions>>((jwt, consultants) =>
        {
            var o = consultants.Value;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = o.Issuer,
                ValidAudience = o.Audience,
                // No key configured: no token validates, so nobody connects.
                IssuerSigningKey = ConsultantClaims.KeyOf(o) ?? new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                NameClaimType = ConsultantClaims.Name,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on WebSockets: the SignalR client sends the token in the query.
                OnMessageReceived = context =>
                {
                    if (context.HttpContext.Request.Path.StartsWithSegments(LeadsHub.Path)
                        && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }
                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(ConsultantClaims.Policy, p => p
            .AddAuthenticationSchemes(ConsultantClaims.Scheme)
            .RequireClaim(O2OClaims.Tenant)
            .RequireClaim(ConsultantClaims.Id)
            .RequireClaim(ConsultantClaims.Team));

        var signalR = builder.Services.AddSignalR()
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
