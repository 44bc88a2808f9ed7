using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using O2O.Api.Consultants;
using O2O.Api.Security;
using O2O.Api.Sources;
using O2O.Grains.Administration;

namespace O2O.Api.Extensions;

public static class SecurityExtensions
{
    /// <summary>
    /// Who is calling and what they may do. One default scheme picks, per request, how the caller
    /// proves who they are: a write key (Basic), an API token or a JWT (Bearer, or <c>access_token</c>
    /// on the hub), else the sign-in cookie. Every endpoint names a policy; anything else is refused.
    /// </summary>
    public static TBuilder AddO2OSecurity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.WriteKeys.All(k => k.Key.Length >= 16 && k.Tenant.Length > 0), "Every write key needs a Key of 16+ characters and a Tenant.")
            .Validate(o => o.WriteKeys.All(k => k.AllowedOrigins.All(OriginPatterns.IsValid)),
                "Every allowed origin is 'scheme://host[:port]' (http or https), with '*' for any port or '*.' before a domain for any subdomain.")
            .Validate(o => o.WriteKeys.All(k => k.RateLimit is null or > 0 && k.RateLimitPeriod > TimeSpan.Zero), "A write key's RateLimit and RateLimitPeriod must be positive.")
            .Validate(o => o.ReadTokens.All(t => t.Token.Length >= 16 && t.Tenant.Length > 0), "Every read token needs a Token of 16+ characters and a Tenant.")
            .Validate(o => o.ReadTokens.All(t => t.Scopes.Count > 0 && t.Scopes.All(Scopes.All.Contains)), "Token scopes must be among ingest, read, erase, admin, contacts.")
            .ValidateOnStart();
        builder.Services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || !string.IsNullOrEmpty(o.Tenant) || !string.IsNullOrEmpty(o.TenantClaim), "O2O:Identity needs a Tenant or a TenantClaim.")
            .Validate(o => o.Roles.Values.All(O2ORoles.All.Contains), "O2O:Identity:Roles values must be consultant, manager, marketer or admin.")
            .ValidateOnStart();
        builder.Services.AddOptions<ConsultantOptions>().BindConfiguration(ConsultantOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ConsultantTokens>();
        builder.Services.AddSingleton<CredentialDirectory>();
        // Sources are administered in grains; configuration only seeds them (CredentialSeeder).
        builder.Services.AddSingleton<ISourceDirectory, GrainSourceDirectory>();
        builder.Services.AddSingleton<ConsultantDirectory>();
        builder.Services.AddHostedService<CredentialSeeder>();

        var identity = builder.Configuration.GetSection(IdentityOptions.Section).Get<IdentityOptions>() ?? new IdentityOptions();
        var consultantIssuer = builder.Configuration[$"{ConsultantOptions.Section}:Issuer"] ?? new ConsultantOptions().Issuer;
        var authentication = builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = SignInSchemes.Default;
                o.DefaultChallengeScheme = SignInSchemes.Default;
            })
            .AddPolicyScheme(SignInSchemes.Default, "Picks how the caller signed in", o =>
                o.ForwardDefaultSelector = http => SignInSchemes.Select(http, identity.Enabled, consultantIssuer))
            .AddScheme<AuthenticationSchemeOptions, WriteKeyHandler>(O2OClaims.WriteKeyScheme, null)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(O2OClaims.ReadTokenScheme, null)
            .AddCookie(SignInSchemes.Session)
            .AddJwtBearer(ConsultantClaims.Scheme);
        builder.Services.AddOptions<CookieAuthenticationOptions>(SignInSchemes.Session).Configure<IOptions<IdentityOptions>>((c, o) =>
        {
            c.Cookie.Name = "o2o.session";
            c.Cookie.HttpOnly = true;
            c.Cookie.SameSite = SameSiteMode.Lax;
            c.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            c.ExpireTimeSpan = o.Value.SessionLifetime;
            c.SlidingExpiration = false;
            c.Events.OnRedirectToLogin = SignInSchemes.RedirectToSignInAsync;
            c.Events.OnRedirectToAccessDenied = SignInSchemes.DenyAsync;
        });
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
                NameClaimType = O2OClaims.Name,
                RoleClaimType = O2OClaims.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = new JwtBearerEvents { OnMessageReceived = SignInSchemes.HubTokenFromQuery };
        });
        if (identity.Enabled)
        {
            authentication.AddOpenIdConnect(SignInSchemes.Provider, _ => { }).AddJwtBearer(SignInSchemes.ProviderBearer, _ => { });
            builder.Services.AddOptions<OpenIdConnectOptions>(SignInSchemes.Provider).Configure<IOptions<IdentityOptions>>((oidc, options) =>
                IdentityProvider.ConfigureSignIn(oidc, options.Value));
            builder.Services.AddOptions<JwtBearerOptions>(SignInSchemes.ProviderBearer).Configure<IOptions<IdentityOptions>>((jwt, options) =>
                IdentityProvider.ConfigureBearer(jwt, options.Value));
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAssertion(_ => false).Build())
            .AddPolicy(O2OPolicies.Ingest, p => p.RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Scope, Scopes.Ingest))
            .AddPolicy(O2OPolicies.Read, p => p.RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Scope, Scopes.Read))
            .AddPolicy(O2OPolicies.Erase, p => p.RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Scope, Scopes.Erase, Scopes.Admin))
            .AddPolicy(O2OPolicies.Leads, p => p.RequireClaim(O2OClaims.Tenant)
                .RequireAssertion(c => c.User.HasScope(Scopes.Read) || (c.User.HasRole(O2ORoles.Manager) && c.User.HasClaim(c => c.Type == O2OClaims.Team))))
            .AddPolicy(O2OPolicies.Marketing, p => p.RequireClaim(O2OClaims.Tenant)
                .RequireAssertion(c => c.User.HasScope(Scopes.Read) || c.User.HasRole(O2ORoles.Marketer)))
            .AddPolicy(O2OPolicies.Spend, p => p.RequireClaim(O2OClaims.Tenant)
                .RequireAssertion(c => c.User.HasScope(Scopes.Ingest) && c.User.Identity?.AuthenticationType == O2OClaims.ReadTokenScheme || c.User.HasRole(O2ORoles.Marketer)))
            .AddPolicy(O2OPolicies.Dashboard, p => p.RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Role, O2ORoles.Marketer))
            .AddPolicy(O2OPolicies.Consultant, p => p.RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Subject).RequireClaim(O2OClaims.Team)
                .RequireClaim(O2OClaims.Role, O2ORoles.Consultant, O2ORoles.Manager))
            .AddPolicy(O2OPolicies.Admin, p => p.RequireClaim(O2OClaims.Tenant)
                .RequireAssertion(c => c.User.HasScope(Scopes.Admin) || c.User.HasRole(O2ORoles.Admin)))
            .AddPolicy(O2OPolicies.Person, p => p.RequireClaim(O2OClaims.Tenant).RequireClaim(O2OClaims.Role));
        return builder;
    }
}
