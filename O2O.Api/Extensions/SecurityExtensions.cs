using Microsoft.AspNetCore.Authentication;
using O2O.Api.Security;
using O2O.Api.Sources;

namespace O2O.Api.Extensions;

public static class SecurityExtensions
{
    public static TBuilder AddO2OSecurity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section)
            .Validate(o => o.WriteKeys.All(k => k.Key.Length >= 16 && k.Tenant.Length > 0), "Every write key needs a Key of 16+ characters and a Tenant.")
            .Validate(o => o.WriteKeys.All(k => k.AllowedOrigins.All(OriginPatterns.IsValid)),
                "Every allowed origin is 'scheme://host[:port]' (http or https), with '*' for any port or '*.' before a domain for any subdomain.")
            .Validate(o => o.WriteKeys.All(k => k.RateLimit is null or > 0 && k.RateLimitPeriod > TimeSpan.Zero), "A write key's RateLimit and RateLimitPeriod must be positive.")
            .Validate(o => o.ReadTokens.All(t => t.Token.Length >= 16 && t.Tenant.Length > 0), "Every read token needs a Token of 16+ characters and a Tenant.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ISourceDirectory, ConfiguredSourceDirectory>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, WriteKeyHandler>(O2OClaims.WriteKeyScheme, null)
            .AddScheme<AuthenticationSchemeOptions, ReadTokenHandler>(O2OClaims.ReadTokenScheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(O2OClaims.IngestPolicy, p => p.AddAuthenticationSchemes(O2OClaims.WriteKeyScheme).RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Source))
            .AddPolicy(O2OClaims.ReadPolicy, p => p.AddAuthenticationSchemes(O2OClaims.ReadTokenScheme).RequireClaim(O2OClaims.Tenant));
        return builder;
    }
}
