using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using O2O.Api.Ingestion;
using O2O.Api.Sources;
using O2O.Grains.Administration;

namespace O2O.Api.Security;

/// <summary>
/// Segment-style write keys: <c>Authorization: Basic base64(writeKey:)</c>. The key names a
/// <see cref="Source"/> in the <see cref="ISourceDirectory"/>, which decides the tenant.
/// </summary>
public sealed class WriteKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ISourceDirectory sources,
    ILoggerFactory logger,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryCredential(Request, "Basic", out var credential))
        {
            // Browser libraries and older server libraries send the key in the body instead.
            if (Context.GetEndpoint()?.Metadata.GetMetadata<TrackingBodyLimit>() is null)
            {
                return AuthenticateResult.NoResult();
            }
            var body = await TrackingBody.ReadAsync(Context, Context.RequestAborted);
            return body.WriteKey is { Length: > 0 } bodyKey ? await AuthenticateAsync(bodyKey) : AuthenticateResult.NoResult();
        }
        string key;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credential));
            key = decoded.Split(':', 2)[0];
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("The Basic credential is not valid base64.");
        }
        return await AuthenticateAsync(key);
    }

    private async Task<AuthenticateResult> AuthenticateAsync(string key)
    {
        var source = await sources.FindByWriteKeyAsync(key, Context.RequestAborted);
        if (source is null)
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked write key.");
        }
        Context.SetSource(source);
        return Success([new Claim(O2OClaims.Tenant, source.Tenant), new Claim(O2OClaims.Source, source.Name), new Claim(O2OClaims.SourceId, source.Id), new Claim(O2OClaims.Scope, Scopes.Ingest)]);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Features.Get<TrackingBody>()?.Problem is { } unreadable)
        {
            // The key could not be looked for in a body that was too large or not JSON: say that, not 401.
            return unreadable.ExecuteAsync(Context);
        }
        Response.Headers.WWWAuthenticate = "Basic realm=\"O2O ingestion\"";
        return ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Write key required",
            "Send the source's write key as the Basic-auth user name with an empty password, or as 'writeKey' in the JSON body.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, "Not allowed", "Write keys can only send events.");

    private AuthenticateResult Success(Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));

    internal static bool TryCredential(HttpRequest request, string scheme, out string credential)
    {
        credential = "";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        credential = header[(scheme.Length + 1)..].Trim();
        return credential.Length > 0;
    }

}

/// <summary>API tokens for machines (<c>Authorization: Bearer &lt;token&gt;</c>), each with its scopes.</summary>
public sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    CredentialDirectory credentials,
    ILoggerFactory logger,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!WriteKeyHandler.TryCredential(Request, "Bearer", out var token))
        {
            return AuthenticateResult.NoResult();
        }
        if (await credentials.FindAsync(token) is not { Kind: CredentialKind.ApiToken } match)
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked token.");
        }
        var identity = new ClaimsIdentity(
            [new Claim(O2OClaims.Tenant, match.Tenant), new Claim(O2OClaims.Subject, "token:" + match.OwnerId), .. match.Scopes.Select(s => new Claim(O2OClaims.Scope, s))],
            Scheme.Name, O2OClaims.Subject, O2OClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Access token required",
            "Send an API token as 'Authorization: Bearer <token>', or sign in. Write keys cannot read.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, "Not allowed",
            "This token's scopes do not include this operation.");
}

/// <summary>Problem-details answers written outside an endpoint (authentication, body limits).</summary>
public static class ProblemResponses
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    /// <summary>The tenant of the signed-in caller; endpoints are only reachable with one.</summary>
    public static string Tenant(this ClaimsPrincipal user) =>
        user.FindFirst(O2OClaims.Tenant)?.Value ?? throw new InvalidOperationException("The caller has no tenant claim.");
}
