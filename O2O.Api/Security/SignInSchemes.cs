using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using O2O.Api.Consultants;
using O2O.Api.Hubs;
using O2O.Api.Ingestion;

namespace O2O.Api.Security;

/// <summary>The authentication schemes and how a request is routed to one of them.</summary>
public static class SignInSchemes
{
    /// <summary>The policy scheme every endpoint authenticates with; it forwards to one of the others.</summary>
    public const string Default = "O2O";
    /// <summary>The sign-in cookie of the consultant page, the dashboard and the admin page.</summary>
    public const string Session = "Session";
    /// <summary>OpenID Connect sign-in with the company's identity provider (authorization code + PKCE).</summary>
    public const string Provider = "oidc";
    /// <summary>Access tokens the identity provider issued, sent by apps to the API and the hub.</summary>
    public const string ProviderBearer = "ProviderBearer";

    public static string Select(HttpContext http, bool provider, string consultantIssuer)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return O2OClaims.WriteKeyScheme;
        }
        var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (bearer is null && http.Request.Path.StartsWithSegments(LeadsHub.Path) && http.Request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            bearer = query;
        }
        if (bearer is null)
        {
            // Tracking libraries may send the write key in the body instead (WriteKeyHandler reads it there).
            return http.GetEndpoint()?.Metadata.GetMetadata<TrackingBodyLimit>() is not null ? O2OClaims.WriteKeyScheme : Session;
        }
        if (bearer.Count(c => c == '.') != 2)
        {
            return O2OClaims.ReadTokenScheme;
        }
        return provider && !IssuedBy(bearer, consultantIssuer) ? ProviderBearer : ConsultantClaims.Scheme;
    }

    private static bool IssuedBy(string jwt, string issuer)
    {
        try
        {
            return string.Equals(new JsonWebToken(jwt).Issuer, issuer, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Browsers cannot set headers on WebSockets: the SignalR client sends the token in the query.</summary>
    public static Task HubTokenFromQuery(MessageReceivedContext context)
    {
        if (context.HttpContext.Request.Path.StartsWithSegments(LeadsHub.Path)
            && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
        {
            context.Token = token;
        }
        return Task.CompletedTask;
    }

    /// <summary>Pages go to their sign-in; API callers get a 401 problem, not a redirect.</summary>
    public static Task RedirectToSignInAsync(RedirectContext<CookieAuthenticationOptions> c)
    {
        if (c.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase))
        {
            c.Response.Redirect("/dashboard/sign-in?ReturnUrl=" + Uri.EscapeDataString(c.Request.Path + c.Request.QueryString));
            return Task.CompletedTask;
        }
        c.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemResponses.WriteAsync(c.HttpContext, StatusCodes.Status401Unauthorized, "Sign-in required",
            "Sign in, or send an API token as 'Authorization: Bearer <token>' (a write key as the Basic-auth user name for ingestion).");
    }

    public static Task DenyAsync(RedirectContext<CookieAuthenticationOptions> c)
    {
        if (c.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase))
        {
            c.Response.Redirect("/dashboard/sign-in?denied=1");
            return Task.CompletedTask;
        }
        return ProblemResponses.WriteAsync(c.HttpContext, StatusCodes.Status403Forbidden, "Not allowed",
            "Your role does not allow this.");
    }

    /// <summary>Signs the session cookie in for a person O2O already mapped.</summary>
    public static Task SignInSessionAsync(this HttpContext http, System.Security.Claims.ClaimsIdentity identity) =>
        http.SignInAsync(Session, new System.Security.Claims.ClaimsPrincipal(identity));
}
