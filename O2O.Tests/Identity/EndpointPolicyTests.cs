using O2O.Api.Security;
using O2O.Tests.Leads;

namespace O2O.Tests.Identity;

/// <summary>No endpoint is reachable by accident: each names a policy, or is on the short list of public ones.</summary>
public sealed class EndpointPolicyTests(LeadsApiFactory api)
{
    /// <summary>What anyone may open: health, the API reference, sign-in, the pages' static files and signed bill links.</summary>
    private static readonly string[] PublicRoutes =
    [
        "/health", "/alive", "/openapi/", "/scalar", "/signin", "/signout", "/consultant", "/admin",
        "/dashboard/sign-in", "/dashboard/session", "/_framework/", "/_content/", "/_blazor", "/O2O.Api.", "/favicon",
        "/v1/projects/{writeKey}/settings", "/sourceConfig",
        // The shopper's bill page: the signed, expiring token in the path is the credential.
        "/b/{token}", "/bill/",
        // Providers' delivery callbacks: eSMS' signed callback address, Zalo's signed webhook events.
        "/v1/messaging/esms/callback/", "/v1/messaging/zns/webhook/",
        // Viber's callbacks, signed with the bot's token; the redirect into the bot, whose signed token names the person.
        "/v1/messaging/viber/webhook/", "/v/{token}",
        // Journey messages' tracked links and one-click unsubscribe: the signed token names the person and message.
        "/r/{token}", "/u/{token}",
        // The dashboard's own stylesheet (the page itself needs a marketer).
        "/dashboard/dashboard.",
    ];

    [Fact]
    public void EveryEndpointNamesAPolicyOrIsPublicOnPurpose()
    {
        var endpoints = ApiEndpoint.All(api.Services);
        endpoints.Count.ShouldBeGreaterThan(30);

        // The static web assets' development fallback (UseStaticWebAssets) names no policy: the fallback policy refuses it.
        var unguarded = endpoints.Where(e => !e.Anonymous && e.Policy is null && e.DisplayName != "Fallback {**path:file}").ToList();
        unguarded.ShouldBeEmpty("every endpoint must name a policy (the fallback refuses the rest):\n" + string.Join("\n", unguarded));

        var several = endpoints.Where(e => e.PolicyCount > 1).ToList();
        several.ShouldBeEmpty("one policy per endpoint, so each says whom it lets in:\n" + string.Join("\n", several));

        var open = endpoints.Where(e => e.Anonymous && !PublicRoutes.Any(p => e.Route.StartsWith(p, StringComparison.Ordinal))).ToList();
        open.ShouldBeEmpty("anonymous endpoints outside the public list:\n" + string.Join("\n", open));
    }

    [Fact]
    public void EveryPolicyNamedByAnEndpointExists()
    {
        var known = typeof(O2OPolicies).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var unknown = ApiEndpoint.All(api.Services).Where(e => e.Policy is { } p && !known.Contains(p)).ToList();
        unknown.ShouldBeEmpty(string.Join("\n", unknown));
    }

    [Fact]
    public async Task AnUnknownPathIsRefusedNotServed()
    {
        using var client = api.CreateClient();
        var response = await client.GetAsync("/api/not-a-thing");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
    }
}
