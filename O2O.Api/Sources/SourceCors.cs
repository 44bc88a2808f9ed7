using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace O2O.Api.Sources;

/// <summary>
/// CORS for tracking calls from browsers. A preflight carries no write key, so it is granted to an
/// origin when some source allows that origin (<see cref="ISourceDirectory.AnyAllowsOriginAsync"/>);
/// the call that follows is then refused with 403 unless its own source allows the origin
/// (<see cref="SourceCors.RefuseOtherOriginsAsync"/>). Simple requests (analytics.js sends <c>text/plain</c>
/// to avoid a preflight) reach the server without asking, which is why the per-source check is
/// the one that keeps events out. Calls without an <c>Origin</c> (servers, apps) are unaffected.
/// </summary>
public sealed class SourceCorsPolicyProvider(ISourceDirectory sources, IOptions<CorsOptions> options) : ICorsPolicyProvider
{
    private static readonly HashSet<string> TrackingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "content-type", "content-encoding", "anonymousid", "sentat", "x-retry-count",
    };

    /// <summary>RudderStack's browser SDK names its retry headers <c>rsa-retry-attempt</c>, <c>rsa-retry-reason</c>, ...</summary>
    private const string RetryHeaderPrefix = "rsa-retry-";

    private readonly DefaultCorsPolicyProvider _named = new(options);

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (policyName != SourceCors.PolicyName)
        {
            return await _named.GetPolicyAsync(context, policyName);
        }
        var policy = new CorsPolicyBuilder()
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithExposedHeaders("Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        var requested = context.Request.Headers.AccessControlRequestHeaders.ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Only the headers tracking libraries send; any other requested header fails the preflight.
        policy.WithHeaders([.. requested.Where(h => TrackingHeaders.Contains(h) || h.StartsWith(RetryHeaderPrefix, StringComparison.OrdinalIgnoreCase))]);
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && await sources.AnyAllowsOriginAsync(origin, context.RequestAborted))
        {
            // Credentials are allowed so a library that sends them (XHR withCredentials) still works;
            // tracking endpoints accept write keys only, never cookies.
            policy.WithOrigins(origin).AllowCredentials();
        }
        return policy.Build();
    }
}

/// <summary>The CORS policy name of tracking endpoints, and the per-source origin check.</summary>
public static class SourceCors
{
    public const string PolicyName = "sources";

    /// <summary>Endpoint filter: a browser call (it has an <c>Origin</c>) from an origin its source does not allow gets 403, and nothing is kept.</summary>
    public static async ValueTask<object?> RefuseOtherOriginsAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        if (http.Request.Headers.Origin.ToString() is { Length: > 0 } origin && http.Source() is { } source && !source.AllowsOrigin(origin))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                detail: $"This source does not accept calls from pages on {origin}. Add the origin to the source's allowed origins.");
        }
        return await next(invocation);
    }
}
