using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Silo.Messaging;

namespace O2O.Api.Messaging;

/// <summary>What the site's script posts after <c>pushManager.subscribe()</c>: who the browser is and its subscription, as <c>PushSubscription.toJSON()</c> gives it.</summary>
public sealed record WebPushSubscriptionRequest(string? AnonymousId, string? UserId, WebPushSubscriptionJson? Subscription);

public sealed record WebPushSubscriptionJson(string? Endpoint, WebPushKeysJson? Keys);

public sealed record WebPushKeysJson(string? P256dh, string? Auth);

/// <summary>The key a browser subscribes with (<c>applicationServerKey</c>).</summary>
public sealed record WebPushKey(string PublicKey);

/// <summary>
/// Browsers subscribe to web push here, with the site's write key like its tracking calls: the
/// subscription becomes traits of the person (<see cref="MessageContact.WebPushEndpointTrait"/> and its
/// keys), so journeys and the master channel can reach them by push.
/// </summary>
public static class WebPushApi
{
    public static IEndpointRouteBuilder MapWebPushApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1/webpush").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Messaging");
        v1.MapGet("/key", GetKey).WithName("WebPushKey").WithSummary("The VAPID public key to subscribe with (applicationServerKey); 404 when web push is off");
        v1.MapPost("/subscriptions", SubscribeAsync).WithName("WebPushSubscribe").WithSummary("Keeps a browser's push subscription on the person (anonymousId or userId)");
        return app;
    }

    private static Results<Ok<WebPushKey>, NotFound> GetKey(IOptions<MessagingOptions> options) =>
        options.Value.WebPush.PublicKey is { Length: > 0 } key ? TypedResults.Ok(new WebPushKey(key)) : TypedResults.NotFound();

    private static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> SubscribeAsync(
        WebPushSubscriptionRequest request, HttpContext http, IEventFeed feed, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.AnonymousId) && string.IsNullOrWhiteSpace(request.UserId))
        {
            errors["anonymousId"] = ["anonymousId or userId is required."];
        }
        var endpoint = request.Subscription?.Endpoint;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || endpoint!.Length > 1024)
        {
            errors["subscription.endpoint"] = ["An https URL (at most 1,024 characters), as the browser's push subscription gives it."];
        }
        if (DecodedLength(request.Subscription?.Keys?.P256dh) is not 65 || Base64Url.DecodeFromChars(request.Subscription!.Keys!.P256dh)[0] != 0x04)
        {
            errors["subscription.keys.p256dh"] = ["The browser's P-256 public key: 65 bytes, uncompressed, base64url."];
        }
        if (DecodedLength(request.Subscription?.Keys?.Auth) is not 16)
        {
            errors["subscription.keys.auth"] = ["The subscription's auth secret: 16 bytes, base64url."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var keys = request.Subscription!.Keys!;
        var e = new CustomerEvent
        {
            // One event per subscription: a browser posting the same subscription twice changes nothing.
            MessageId = "webpush-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint!)))[..32],
            Tenant = http.User.Tenant(),
            Type = EventType.Identify,
            Timestamp = clock.GetUtcNow(),
            AnonymousId = string.IsNullOrWhiteSpace(request.AnonymousId) ? null : request.AnonymousId,
            UserId = string.IsNullOrWhiteSpace(request.UserId) ? null : request.UserId,
            Traits = new Dictionary<string, string>
            {
                [MessageContact.WebPushEndpointTrait] = endpoint!,
                [MessageContact.WebPushP256dhTrait] = keys.P256dh!,
                [MessageContact.WebPushAuthTrait] = keys.Auth!,
            },
        };
        var admission = await feed.PublishAsync([e], ct);
        if (!admission.Accepted)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(admission.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Ingestion is busy", detail: "Retry after the Retry-After delay.");
        }
        return TypedResults.Accepted((string?)null);
    }

    private static int? DecodedLength(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return null;
        }
        try
        {
            return Base64Url.DecodeFromChars(value).Length;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
