using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using O2O.Silo.Messaging;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Messaging;

/// <summary>Web push with VAPID to a local push service that checks the token and decrypts the payload as the browser would.</summary>
[Trait("Category", "Slow")]
public sealed class WebPushTests(PushService push, ApiFactory api) : IClassFixture<PushService>
{
    private static readonly HttpClient Http = new();
    private static readonly (string Public, string Private) Vapid = PushService.VapidKeys();

    [Fact]
    public async Task APushIsEncryptedForTheSubscriptionAndAuthorisedWithVapid()
    {
        var (endpoint, keys) = push.Subscribe("browser-" + Guid.NewGuid().ToString("N")[..8]);
        var message = Message(endpoint, keys);
        // The push service is the class's: another test's forged token may be among its refusals already.
        var refusedBefore = push.Refused.Count;

        var result = await Channel().SendAsync(message, TestContext.Current.CancellationToken);

        push.Refused.Skip(refusedBefore).ShouldBeEmpty();
        (result.Status, result.CostVnd, result.Error).ShouldBe((DeliveryStatus.Sent, 0L, (ProviderError?)null));
        var delivery = push.Received.Single(d => endpoint.EndsWith("/" + d.Subscription, StringComparison.Ordinal));
        delivery.TimeToLive.ShouldBe(86_400);
        var payload = JsonDocument.Parse(delivery.Payload).RootElement;
        payload.GetProperty("title").GetString().ShouldBe("Ưu đãi cho Lan");
        payload.GetProperty("body").GetString().ShouldBe("Chào Lan, áo dài mới về");
        payload.GetProperty("url").GetString().ShouldBe("https://o2o.test/r/abc.def");
        payload.GetProperty("tag").GetString().ShouldBe(message.MessageId);
    }

    [Fact]
    public async Task PushRefusalsAreClassifiedAndAForgedVapidTokenIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid().ToString("N")[..8];
        var (_, keys) = push.Subscribe("browser-" + id);

        var gone = await Channel().SendAsync(Message($"{push.BaseUrl}/push/gone-{id}", keys), ct);
        var throttled = await Channel().SendAsync(Message($"{push.BaseUrl}/push/throttled-{id}", keys), ct);
        var unknown = await Channel().SendAsync(Message($"{push.BaseUrl}/push/never-subscribed-{id}", keys), ct);
        // Our public key announced with another server's private key: the token's signature does not verify.
        var other = PushService.VapidKeys();
        var refusedBefore = push.Refused.Count;
        var forged = await Channel(privateKey: other.Private).SendAsync(Message($"{push.BaseUrl}/push/browser-{id}", keys), ct);
        var noKeys = await Channel().SendAsync(Message($"{push.BaseUrl}/push/browser-{id}", keys) with { Push = null }, ct);

        (gone.Error!.Code, gone.Error.Retryable).ShouldBe(("http-410", false));
        (throttled.Error!.Code, throttled.Error.Retryable).ShouldBe(("http-429", true));
        (unknown.Error!.Code, unknown.Error.Retryable).ShouldBe(("http-404", false));
        (forged.Error!.Code, forged.Error.Retryable).ShouldBe(("http-403", false));
        push.Refused.Skip(refusedBefore).ShouldContain("the JWT is not signed by the key in k");
        (noKeys.Error!.Code, noKeys.Error.Retryable).ShouldBe(("invalid-subscription", false));
    }

    [Fact]
    public async Task ABrowsersSubscriptionBecomesThePersonsPushTraitsAndBadOnesAreRefusedByField()
    {
        var ct = TestContext.Current.CancellationToken;
        var anonymousId = "push-" + Guid.NewGuid().ToString("N")[..10];
        var (endpoint, keys) = push.Subscribe(anonymousId);
        var https = "https://fcm.googleapis.com/fcm/send/" + anonymousId;

        using var accepted = await api.Writer().PostAsJsonAsync("/v1/webpush/subscriptions",
            new { anonymousId, subscription = new { endpoint = https, keys = new { p256dh = keys.P256dh, auth = keys.Auth } } }, ct);
        using var bad = await api.Writer().PostAsJsonAsync("/v1/webpush/subscriptions",
            new { subscription = new { endpoint = endpoint.Replace("http:", "ftp:", StringComparison.Ordinal), keys = new { p256dh = "AAAA", auth = keys.Auth + "xx" } } }, ct);
        using var anonymous = await api.CreateClient().PostAsJsonAsync("/v1/webpush/subscriptions", new { anonymousId }, ct);

        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anonymousId}",
            p => p.GetProperty("traits").TryGetProperty("webpush_endpoint", out _));
        profile.GetProperty("traits").GetProperty("webpush_endpoint").GetString().ShouldBe(https);
        profile.GetProperty("traits").GetProperty("webpush_p256dh").GetString().ShouldBe(keys.P256dh);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        foreach (var field in new[] { "anonymousId", "subscription.endpoint", "subscription.keys.p256dh", "subscription.keys.auth" })
        {
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
        }
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static WebPushChannel Channel(string? privateKey = null) => new(Http, Options.Create(new MessagingOptions
    {
        WebPush = { PublicKey = Vapid.Public, PrivateKey = privateKey ?? Vapid.Private, Subject = "mailto:ops@o2o.test" },
    }));

    private static OutgoingMessage Message(string endpoint, PushKeys keys) => new()
    {
        Tenant = "push-tests",
        Channel = Silo.Messaging.Channel.WebPush,
        Purpose = MessagePurpose.Marketing,
        To = endpoint,
        Push = keys,
        Subject = "Ưu đãi cho Lan",
        Text = "Chào Lan, áo dài mới về",
        Link = "https://o2o.test/r/abc.def",
    };
}
