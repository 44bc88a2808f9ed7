using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Messaging;
using O2O.Grains.Identity;
using O2O.Silo.Messaging;
using O2O.Tests.Infrastructure;
using O2O.Tests.MasterData;

namespace O2O.Tests.Messaging;

/// <summary>
/// Connecting a Viber bot on the real Api: the webhook registered with set_webhook, the person's signed
/// deep link, and Viber's callbacks. The stand-in follows the Viber REST Bot API as documented:
/// set_webhook's request and its signed check call, callbacks signed in <c>X-Viber-Content-Signature</c>
/// (HMAC-SHA256 hex of the body keyed by the bot's token), and the documented payloads of
/// <c>conversation_started</c> (with the deep link's <c>context</c>), <c>message</c> (a first message
/// subscribes without a <c>subscribed</c> callback), <c>unsubscribed</c>, <c>delivered</c> and <c>failed</c>.
/// </summary>
[Trait("Category", "Slow")]
[Collection(MasterDataCollection.Name)]
public sealed class ViberWebhookTests(MasterDataApiFactory api)
{
    private const string Tenant = MasterDataApiFactory.Tenant;

    [Fact]
    public async Task APersonWhoOpensTheBotThroughTheirLinkIsReachableOnViberUntilTheyUnsubscribe()
    {
        var ct = TestContext.Current.CancellationToken;
        await RegisterWebhookAsync();
        var anonymousId = "viber-" + Guid.NewGuid().ToString("N")[..10];
        var phone = TestPhones.NewLocal();
        var viberId = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        (await api.Writer().PostAsync("/v1/identify", Json($$$"""{"anonymousId":"{{{anonymousId}}}","traits":{"phone":"{{{phone}}}","name":"Trần Thị Lan"}}"""), ct)).EnsureSuccessStatusCode();
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anonymousId}");

        // The site asks for the person's link; it forwards to Viber's deep link with the signed token as context.
        var link = await api.Writer().GetFromJsonAsync<ViberLink>($"/v1/messaging/viber/link?anonymousId={anonymousId}", ct);
        var context = Uri.UnescapeDataString(link!.DeepLink[(link.DeepLink.IndexOf("&context=", StringComparison.Ordinal) + 9)..]);
        link.DeepLink.ShouldBe($"viber://pa?chatURI={MasterDataApiFactory.ViberChatUri}&context={Uri.EscapeDataString(context)}");
        using (var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            using var opened = await noRedirect.GetAsync(link.Url, ct);
            opened.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            opened.Headers.Location!.OriginalString.ShouldBe(link.DeepLink);
        }

        (await CallbackAsync(ConversationStarted(viberId, context))).ShouldBe("linked");
        (await MarketingAsync(viberId, phone)).Status.ShouldBe(DeliveryStatus.Blocked, "opening the chat is not subscribing");

        (await CallbackAsync(FirstMessage(viberId))).ShouldBe("subscribed");
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anonymousId}",
            p => p.GetProperty("traits").TryGetProperty("viber_id", out _));
        profile.GetProperty("traits").GetProperty("viber_id").GetString().ShouldBe(viberId);
        var granted = ViberConsent(await ConsentAsync(phone));
        (granted.GetProperty("granted").GetBoolean(), granted.GetProperty("source").GetString()).ShouldBe((true, "Chatbot"));
        var sent = await MarketingAsync(viberId, phone);
        sent.Status.ShouldBe(DeliveryStatus.Sent);
        api.Viber.Received.ShouldContain(m => m.Receiver == viberId);

        (await CallbackAsync(Unsubscribed(viberId))).ShouldBe("unsubscribed");
        ViberConsent(await ConsentAsync(phone)).GetProperty("granted").GetBoolean().ShouldBeFalse();
        var after = await MarketingAsync(viberId, phone);
        (after.Status, after.Error!.Code).ShouldBe((DeliveryStatus.Blocked, "consent"));
        api.Viber.Malformed.ShouldBeEmpty();
    }

    [Fact]
    public async Task ASecondDeviceOfAKnownPersonGetsALinkThatNamesThePerson()
    {
        var ct = TestContext.Current.CancellationToken;
        await RegisterWebhookAsync();
        var laptop = "viber-" + Guid.NewGuid().ToString("N")[..10];
        var phoneBrowser = "viber-" + Guid.NewGuid().ToString("N")[..10];
        var phone = TestPhones.NewLocal();
        var viberId = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        (await api.Writer().PostAsync("/v1/identify", Json($$$"""{"anonymousId":"{{{laptop}}}","traits":{"phone":"{{{phone}}}","name":"Đặng Thu Hà"}}"""), ct)).EnsureSuccessStatusCode();
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={laptop}");
        // The second device joins the person: its derived profile is left as a note pointing at them.
        (await api.Writer().PostAsync("/v1/identify", Json($$$"""{"anonymousId":"{{{phoneBrowser}}}","traits":{"phone":"{{{phone}}}"}}"""), ct)).EnsureSuccessStatusCode();
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={phoneBrowser}");

        var link = await api.Writer().GetFromJsonAsync<ViberLink>($"/v1/messaging/viber/link?anonymousId={phoneBrowser}", ct);
        var context = Uri.UnescapeDataString(link!.DeepLink[(link.DeepLink.IndexOf("&context=", StringComparison.Ordinal) + 9)..]);
        (await CallbackAsync(ConversationStarted(viberId, context))).ShouldBe("linked");
        (await CallbackAsync(FirstMessage(viberId))).ShouldBe("subscribed", "the link names the person, who has a phone to record the consent on");
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={laptop}",
            p => p.GetProperty("traits").TryGetProperty("viber_id", out _));
        profile.GetProperty("traits").GetProperty("viber_id").GetString().ShouldBe(viberId);
    }

    [Fact]
    public async Task ReceiptsUpdateTheMessageForgedCallbacksAreRefusedAndStrangersIgnored()
    {
        var ct = TestContext.Current.CancellationToken;
        await RegisterWebhookAsync();
        var sender = api.Services.GetRequiredService<MessageSender>();
        var delivered = await sender.SendAsync(OrderLink("receipt-" + Guid.NewGuid().ToString("N")[..8]), orderId: null, ct);
        var failed = await sender.SendAsync(OrderLink("receipt-" + Guid.NewGuid().ToString("N")[..8]), orderId: null, ct);
        delivered.Status.ShouldBe(DeliveryStatus.Sent);

        (await CallbackAsync(Receipt("delivered", delivered.ProviderMessageId!))).ShouldBe("delivered");
        (await CallbackAsync(Receipt("failed", failed.ProviderMessageId!))).ShouldBe("failed");
        (await StatusAsync(delivered)).ShouldBe("Delivered");
        (await StatusAsync(failed)).ShouldBe("Failed");

        var body = ConversationStarted("stranger", context: "not-a-token");
        (await CallbackAsync(body)).ShouldBe("ignored", "Viber repeats a callback until it gets 200");
        (await CallbackAsync(Receipt("delivered", "4912661846655238145"))).ShouldBe("ignored");
        using var forged = await api.Viber.CallbackAsync(body, signature: ViberServer.Sign(Encoding.UTF8.GetBytes(body + " ")));
        forged.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        forged.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var unsigned = await api.Viber.CallbackAsync(body, signature: "");
        unsigned.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var notAnEvent = await api.Viber.CallbackAsync("""{"timestamp":1457764197627}""");
        notAnEvent.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await notAnEvent.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").TryGetProperty("event", out _).ShouldBeTrue();
        api.Viber.Malformed.ShouldBeEmpty();
    }

    /// <summary>The admin action registers the tenant's webhook; the stand-in checks it with a signed call first.</summary>
    private async Task RegisterWebhookAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await api.Admin().PostAsync("/api/admin/messaging/viber/webhook", null, ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var set = await response.Content.ReadFromJsonAsync<ViberWebhookSet>(ct);
        set!.Url.ShouldBe(new Uri(api.Address, $"/v1/messaging/viber/webhook/{Tenant}").ToString());
        api.Viber.Webhook!.Value.Url.ShouldBe(set.Url);
        api.Viber.Webhook.Value.EventTypes.ShouldBe(ViberChannel.WebhookEvents, ignoreOrder: true);
    }

    private async Task<string> CallbackAsync(string json)
    {
        using var response = await api.Viber.CallbackAsync(json);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<string>())!;
    }

    private Task<SendResult> MarketingAsync(string viberId, string phone) =>
        api.Services.GetRequiredService<MessageSender>().SendAsync(new OutgoingMessage
        {
            Tenant = Tenant,
            Channel = Channel.Viber,
            Purpose = MessagePurpose.Marketing,
            To = viberId,
            ConsentAddress = new Identifier(IdentifierKind.Phone, TestPhones.E164(phone)),
            Text = "Chào Lan, ưu đãi tháng này",
        }, orderId: null, TestContext.Current.CancellationToken);

    private static OutgoingMessage OrderLink(string viberId) => new()
    {
        Tenant = Tenant,
        Channel = Channel.Viber,
        Purpose = MessagePurpose.OrderLink,
        To = viberId,
        Text = "Đánh giá đơn hàng và nhận điểm",
    };

    private async Task<string> StatusAsync(SendResult result)
    {
        var message = api.Viber.Received.Single(m => m.Token.ToString(System.Globalization.CultureInfo.InvariantCulture) == result.ProviderMessageId);
        var json = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/messages/{message.TrackingData}", TestContext.Current.CancellationToken);
        return json.GetProperty("record").GetProperty("status").GetString()!;
    }

    private async Task<JsonElement> ConsentAsync(string phone) =>
        await api.Reader().GetFromJsonAsync<JsonElement>($"/api/consents?phone={phone}", TestContext.Current.CancellationToken);

    private static JsonElement ViberConsent(JsonElement consent) =>
        consent.GetProperty("current").EnumerateArray().Single(r => r.GetProperty("channel").GetString() == "Viber" && r.GetProperty("purpose").GetString() == "Marketing");

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static long NewToken() => Random.Shared.NextInt64(1_000_000_000_000_000, 9_000_000_000_000_000);

    private static string ConversationStarted(string viberId, string context) => JsonSerializer.Serialize(new
    {
        @event = "conversation_started", timestamp = Now, type = "open", context,
        user = new { id = viberId, name = "Lan", country = "VN", language = "vi", api_version = 10 },
        message_token = NewToken(), subscribed = false,
    });

    private static string FirstMessage(string viberId) => JsonSerializer.Serialize(new
    {
        @event = "message", timestamp = Now, message_token = NewToken(),
        sender = new { id = viberId, name = "Lan", country = "VN", language = "vi", api_version = 10 },
        message = new { type = "text", text = "Chào shop" },
    });

    private static string Unsubscribed(string viberId) =>
        JsonSerializer.Serialize(new { @event = "unsubscribed", timestamp = Now, user_id = viberId, message_token = NewToken() });

    private static string Receipt(string name, string token) =>
        $$"""{"event":"{{name}}","timestamp":{{Now}},"message_token":{{token}},"user_id":"01234567890A="{{(name == "failed" ? ",\"desc\":\"failure description\"" : "")}}}""";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
