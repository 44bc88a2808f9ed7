using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Journeys;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;
using O2O.Silo.Messaging;

namespace O2O.Api.Messaging;

/// <summary>The address a web page hands out to open the Viber bot as this person: ours (tracked) and Viber's deep link.</summary>
public sealed record ViberLink(string Url, string DeepLink);

/// <summary>Where Viber now sends the bot's callbacks, and which.</summary>
public sealed record ViberWebhookSet(string Url, IReadOnlyList<string> EventTypes);

/// <summary>
/// Connecting a Viber bot: its callback webhook (signed by Viber with the bot's token), the links that
/// open the bot naming a person (messages carry <c>{{ lien_viber }}</c>; web pages ask for one), and the
/// admin action that registers the webhook with Viber (<c>set_webhook</c>).
/// </summary>
public static class ViberApi
{
    /// <summary>Larger than any callback Viber documents; a bigger body is not one.</summary>
    private const int MaxBody = 64 * 1024;

    public static IEndpointRouteBuilder MapViberApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/messaging/viber/webhook/{tenant}", WebhookAsync).AllowAnonymous().WithTags("Messaging").WithName("ViberWebhook")
            .WithSummary("Viber REST Bot API callbacks signed with X-Viber-Content-Signature: subscriptions record viber_id and Viber consent, unsubscribes withdraw it, receipts update the message")
            .Accepts<JsonElement>("application/json");
        app.MapGet("/v/{token}", OpenBot).AllowAnonymous().WithTags("Messaging").WithName("OpenViberBot").ExcludeFromDescription();
        app.MapGet("/v1/messaging/viber/link", LinkAsync).RequireAuthorization(O2OPolicies.Ingest).WithTags("Messaging").WithName("ViberLink")
            .WithSummary("The link that opens the Viber bot as the browser's person (anonymousId), for the site to show");
        app.MapPost("/api/admin/messaging/viber/webhook", SetWebhookAsync).RequireAuthorization(O2OPolicies.Admin).WithTags("Administration")
            .WithName("SetViberWebhook").WithSummary("Registers this tenant's webhook with Viber (set_webhook); Viber checks it with a signed call first");
        return app;
    }

    private static async Task<Results<Ok<string>, ProblemHttpResult, ValidationProblem>> WebhookAsync(
        string tenant, HttpContext http, ViberWebhook webhook, IOptions<MessagingOptions> options)
    {
        var body = await ReadAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"a Viber callback is at most {MaxBody} bytes"] });
        }
        if (!ViberCallbacks.SignatureValid(options.Value.Viber.AuthToken, body, http.Request.Headers["X-Viber-Content-Signature"]))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The callback's X-Viber-Content-Signature does not match",
                detail: "Viber signs each callback with the bot's auth token (HMAC-SHA256 of the body, hex).");
        }
        ViberEvent? e;
        try
        {
            e = ViberCallbacks.Read(JsonSerializer.Deserialize<JsonElement>(body));
        }
        catch (JsonException)
        {
            e = null;
        }
        if (e is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["event"] = ["must be the JSON of a Viber callback, with its event name"] });
        }
        // Anything we cannot use still gets 200: Viber repeats a callback until it does.
        var outcome = await webhook.HandleAsync(tenant, e);
        return TypedResults.Ok(outcome.ToString().ToLowerInvariant());
    }

    private static Results<RedirectHttpResult, ProblemHttpResult> OpenBot(string token, ViberWebhook webhook, IOptions<MessagingOptions> options)
    {
        if (options.Value.Viber.ChatUri is not { } chat)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No Viber bot", detail: "This shop has no Viber bot connected.");
        }
        if (!TrackedLinks.TryRead(token, webhook.LinkKey, out var target) || target.Link != TrackedLinks.ViberSubscribe)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a link we gave out");
        }
        return TypedResults.Redirect(DeepLink(chat, token));
    }

    private static async Task<Results<Ok<ViberLink>, ProblemHttpResult, ValidationProblem>> LinkAsync(
        string? anonymousId, HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms, ViberWebhook webhook, IOptions<MessagingOptions> options, IOptions<JourneyOptions> journeys)
    {
        if (anonymousId is not { Length: > 0 and <= 200 })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["anonymousId"] = ["the browser's anonymousId (at most 200 characters) is required"] });
        }
        if (options.Value.Viber.ChatUri is not { } chat)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No Viber bot", detail: "This shop has no Viber bot connected.");
        }
        var tenant = http.User.Tenant();
        // Only the browser's own anonymous id names the person: a user id could be anybody's.
        if (await grains.Identity(IdentityKey.Of(tenant, new Identifier(IdentifierKind.Anonymous, anonymousId), pseudonyms)).GetProfileAsync() is not { } profileId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown visitor", detail: "No profile has this anonymousId yet; track an event first.");
        }
        // A device that joined a known person names its derived profile, which forwards: the link names the person.
        profileId = (await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).GetAsync())?.ProfileId ?? profileId;
        var token = TrackedLinks.Token(new LinkTarget(tenant, profileId, 0, TrackedLinks.ViberSubscribe), journeys.Value.LinkKey);
        return TypedResults.Ok(new ViberLink(TrackedLinks.ViberUrl(journeys.Value.PublicBaseUrl, token), DeepLink(chat, token)));
    }

    private static async Task<Results<Ok<ViberWebhookSet>, ProblemHttpResult>> SetWebhookAsync(
        HttpContext http, ViberChannel viber, IOptions<JourneyOptions> journeys, CancellationToken ct)
    {
        if (!viber.IsConfigured)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Viber is not configured",
                detail: "Set O2O:Messaging:Viber:AuthToken to the bot's token first.");
        }
        var url = $"{journeys.Value.PublicBaseUrl.TrimEnd('/')}/v1/messaging/viber/webhook/{Uri.EscapeDataString(http.User.Tenant())}";
        if (await viber.SetWebhookAsync(url, ct) is { } error)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Viber refused the webhook",
                detail: $"{error.Code}: {error.Message}. Viber needs a public https address with a trusted certificate that answers its check with 200.");
        }
        return TypedResults.Ok(new ViberWebhookSet(url, ViberChannel.WebhookEvents));
    }

    /// <summary>Viber's deep link into the bot's chat, carrying our signed token as its context.</summary>
    public static string DeepLink(string chatUri, string token) => $"viber://pa?chatURI={Uri.EscapeDataString(chatUri)}&context={Uri.EscapeDataString(token)}";

    private static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
