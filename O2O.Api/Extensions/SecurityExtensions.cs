using Microsoft.AspNetCore.Authentication;
using O2O.Api.Security;

namespace O2O.Api.Extensions;

public static class SecurityExtensions
{
    public static TBuilder AddO2OSecurity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section)
            .Validate(o => o.WriteKeys.All(k => k.Key.Length >= 16 && k.Tenant.Length > 0), "Every write key needs a Key of 16+ characters and a Tenant.")
            .Validate(o => o.ReadTokens.All(t => t.Token.Length >= 16 && t.Tenant.Length > 0), "Every read token needs a Token of 16+ characters and a Tenant.")
            .ValidateOnStart();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, WriteKeyHandler>(O2OClaims.WriteKeyScheme, null)
            .AddScheme<AuthenticationSchemeOptions, ReadTokenHandler>(O2OClaims.ReadTokenScheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(O2OClaims.IngestPolicy, p => p.AddAuthenticationSchemes(O2OClaims.WriteKeyScheme).RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Source))
            .AddPolicy(O2OClaims.ReadPolicy, p => p.AddAuthenticationSchemes(O2OClaims.ReadTokenScheme).RequireClaim(O2OClaims.Tenant))
            .AddPolicy(O2OClaims.ErasePolicy, p => p.AddAuthenticationSchemes(O2OClaims.ReadTokenScheme).RequireClaim(O2OClaims.Tenant)
                .RequireClaim(O2OClaims.Scope, O2OClaims.EraseScope, O2OClaims.AdminScope));
        return builder;
    }
}
