using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace O2O.Tests.Identity;

/// <summary>A person the test identity provider knows, with the groups it puts in their tokens.</summary>
public sealed record ProviderUser(string Login, string Password, string Subject, string Name, IReadOnlyList<string> Groups);

/// <summary>
/// A real OpenID Connect provider for the tests (OpenIddict on Kestrel, loopback, plain HTTP):
/// discovery, JWKS, authorization code with PKCE, a token endpoint for one confidential client,
/// end session, and a plain HTML login form. Stands in for Microsoft Entra ID.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "o2o-web";
    public const string ClientSecret = "test-client-secret-0123456789";
    public const string ApiAudience = "o2o-api";

    private readonly WebApplication _app;

    private OidcProvider(WebApplication app, Uri issuer, RsaSecurityKey signingKey)
    {
        _app = app;
        Issuer = issuer;
        SigningKey = signingKey;
    }

    public Uri Issuer { get; }

    /// <summary>The key the provider signs with; tests mint tokens with it (expired ones, say).</summary>
    public RsaSecurityKey SigningKey { get; }

    public static async Task<OidcProvider> StartAsync(IReadOnlyList<ProviderUser> users)
    {
        var port = Infrastructure.ServerProcess.FreeTcpPort();
        var issuer = new Uri($"http://127.0.0.1:{port}/");
        var signingKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-provider-key" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(issuer.ToString());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "idp.session";
            o.LoginPath = "/login";
        });
        builder.Services.AddAuthorization();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetIssuer(issuer);
            o.SetAuthorizationEndpointUris("connect/authorize")
                .SetTokenEndpointUris("connect/token")
                .SetEndSessionEndpointUris("connect/endsession");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            o.AddSigningKey(signingKey);
            o.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
            o.DisableAccessTokenEncryption();
            // No application store: this one client is checked by the handlers below.
            o.EnableDegradedMode();
            o.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough()
                .DisableTransportSecurityRequirement();
            o.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }
                else if (!Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var redirect) || !IPAddress.IsLoopback(Dns.GetHostAddresses(redirect.Host)[0]))
                {
                    context.Reject(Errors.InvalidRequest, "Redirects go to loopback only.");
                }
                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                }
                return default;
            }));
            o.AddEventHandler<ValidateEndSessionRequestContext>(h => h.UseInlineHandler(_ => default));
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/login", (string? returnUrl) => Results.Content(LoginPage(returnUrl ?? "/", failed: false), "text/html; charset=utf-8"));
        app.MapPost("/login", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            var user = users.FirstOrDefault(u => u.Login == form["username"].ToString() && u.Password == form["password"].ToString());
            if (user is null)
            {
                return Results.Content(LoginPage(returnUrl, failed: true), "text/html; charset=utf-8");
            }
            var identity = new ClaimsIdentity([new Claim("login", user.Login)], CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl.StartsWith('/') ? returnUrl : "/");
        });
        app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
            var signedIn = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            var user = signedIn.Succeeded ? users.FirstOrDefault(u => u.Login == signedIn.Principal.FindFirst("login")?.Value) : null;
            if (user is null)
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + http.Request.QueryString },
                    [CookieAuthenticationDefaults.AuthenticationScheme]);
            }
            var identity = Identity(user);
            identity.SetScopes(request.GetScopes());
            identity.SetAudiences(ApiAudience);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return code.Principal is { } principal
                ? Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)
                : Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
        app.MapMethods("/connect/endsession", ["GET", "POST"], async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
        await app.StartAsync();
        return new OidcProvider(app, issuer, signingKey);
    }

    /// <summary>The claims this provider puts in a person's tokens, as Entra does with group claims.</summary>
    public static ClaimsIdentity Identity(ProviderUser user)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject).SetClaim(Claims.Name, user.Name);
        foreach (var group in user.Groups)
        {
            identity.AddClaim(new Claim("groups", group));
        }
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    /// <summary>A JWT access token as this provider (or, with another key and issuer, a stranger) would sign it.</summary>
    public string Mint(ProviderUser user, DateTimeOffset expires, SecurityKey? key = null, string? issuer = null)
    {
        var now = expires.AddHours(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer.ToString(),
            Audience = ApiAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
            Subject = new ClaimsIdentity([new Claim("sub", user.Subject), new Claim("name", user.Name), .. user.Groups.Select(g => new Claim("groups", g))]),
        });
    }

    private static string LoginPage(string returnUrl, bool failed) => $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
        <body><h1>Sign in</h1>{(failed ? "<p id=\"error\">Wrong user name or password.</p>" : "")}
        <form method="post" action="/login">
          <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}">
          <label>User <input id="username" name="username" autocomplete="username"></label>
          <label>Password <input id="password" name="password" type="password"></label>
          <button id="submit" type="submit">Sign in</button>
        </form></body></html>
        """;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
