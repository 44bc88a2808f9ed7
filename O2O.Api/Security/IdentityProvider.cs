using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace O2O.Api.Security;

/// <summary>How the company's OpenID Connect provider signs people in and how its tokens are checked.</summary>
public static class IdentityProvider
{
    public static void ConfigureSignIn(OpenIdConnectOptions oidc, IdentityOptions o)
    {
        oidc.Authority = o.Authority!.ToString();
        oidc.ClientId = o.ClientId;
        oidc.ClientSecret = o.ClientSecret;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.UsePkce = true;
        oidc.RequireHttpsMetadata = o.RequireHttpsMetadata;
        oidc.SignInScheme = SignInSchemes.Session;
        oidc.MapInboundClaims = false;
        oidc.SaveTokens = true;
        oidc.UseTokenLifetime = false;
        oidc.Scope.Clear();
        oidc.Scope.Add(OpenIdConnectScope.OpenId);
        oidc.Scope.Add(OpenIdConnectScope.OpenIdProfile);
        oidc.TokenValidationParameters.NameClaimType = O2OClaims.Name;
        oidc.TokenValidationParameters.RoleClaimType = O2OClaims.Role;
        if (!o.RequireHttpsMetadata)
        {
            // A loopback test provider speaks plain HTTP, where browsers drop SameSite=None cookies.
            oidc.CorrelationCookie.SameSite = oidc.NonceCookie.SameSite = SameSiteMode.Lax;
            oidc.CorrelationCookie.SecurePolicy = oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }
        oidc.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = async context =>
            {
                var mapped = PersonClaims.Map(context.Principal!, o, SignInSchemes.Provider);
                if (mapped is null)
                {
                    context.Fail("The identity provider gave this account no O2O role.");
                    return;
                }
                var principal = new ClaimsPrincipal(mapped);
                if (principal.IsConsultant())
                {
                    var settings = await context.HttpContext.RequestServices.GetRequiredService<ConsultantDirectory>().SignedInAsync(principal);
                    PersonClaims.Apply(mapped, settings);
                }
                context.Principal = principal;
            },
            OnRemoteFailure = context =>
            {
                context.HandleResponse();
                context.Response.Redirect("/signin/failed");
                return Task.CompletedTask;
            },
        };
    }

    public static void ConfigureBearer(JwtBearerOptions jwt, IdentityOptions o)
    {
        jwt.Authority = o.Authority!.ToString();
        jwt.Audience = o.Audience ?? o.ClientId;
        jwt.RequireHttpsMetadata = o.RequireHttpsMetadata;
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = O2OClaims.Name;
        jwt.TokenValidationParameters.RoleClaimType = O2OClaims.Role;
        jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = SignInSchemes.HubTokenFromQuery,
            OnTokenValidated = async context =>
            {
                var mapped = PersonClaims.Map(context.Principal!, o, SignInSchemes.ProviderBearer);
                if (mapped is null)
                {
                    context.Fail("The identity provider gave this account no O2O role.");
                    return;
                }
                var principal = new ClaimsPrincipal(mapped);
                if (principal.IsConsultant() && await context.HttpContext.RequestServices.GetRequiredService<ConsultantDirectory>().FindAsync(principal) is { } settings)
                {
                    PersonClaims.Apply(mapped, settings);
                }
                context.Principal = principal;
            },
        };
    }
}
