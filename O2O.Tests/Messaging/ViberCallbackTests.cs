using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using O2O.Api.Messaging;
using O2O.Grains.Journeys;

namespace O2O.Tests.Messaging;

/// <summary>
/// Reading Viber's callbacks and the links that name a person to the bot, without a server. The
/// payloads are the shapes the Viber REST Bot API documents for each event.
/// </summary>
public sealed class ViberCallbackTests
{
    private const string BotToken = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9";
    private static readonly JourneyOptions Journeys = new() { PublicBaseUrl = "https://o2o.test" };

    [Fact]
    public void OnlyTheBodyAsSignedWithTheBotsTokenIsAccepted()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"subscribed","timestamp":1457764197627,"user":{"id":"01234567890A="},"message_token":4912661846655238145}""");
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(BotToken), body));

        ViberCallbacks.SignatureValid(BotToken, body, signature).ShouldBeTrue();
        ViberCallbacks.SignatureValid(BotToken, body, signature.ToUpperInvariant()).ShouldBeTrue("hex is hex in either case");
        ViberCallbacks.SignatureValid(BotToken, [.. body, (byte)' '], signature).ShouldBeFalse("a changed body");
        ViberCallbacks.SignatureValid("another-bot-token", body, signature).ShouldBeFalse();
        ViberCallbacks.SignatureValid(BotToken, body, null).ShouldBeFalse();
        ViberCallbacks.SignatureValid(BotToken, body, new string('z', 64)).ShouldBeFalse();
        ViberCallbacks.SignatureValid(null, body, signature).ShouldBeFalse("no bot configured: nothing is Viber's");
    }

    [Fact]
    public void EachEventNamesItsUserWhereViberPutsIt()
    {
        var started = Read("""{"event":"conversation_started","timestamp":1457764197627,"type":"open","context":"abc.def","user":{"id":"01234567890A=","name":"John McClane","api_version":1},"message_token":4912661846655238145,"subscribed":true}""");
        var message = Read("""{"event":"message","timestamp":1457764197627,"message_token":4912661846655238145,"sender":{"id":"01234567890A="},"message":{"type":"text","text":"a message"}}""");
        var unsubscribed = Read("""{"event":"unsubscribed","timestamp":1457764197627,"user_id":"01234567890A=","message_token":4912661846655238145}""");
        var failed = Read("""{"event":"failed","timestamp":1457764197627,"message_token":4912661846655238145,"user_id":"01234567890A=","desc":"failure description"}""");

        started.ShouldBe(new ViberEvent("conversation_started", DateTimeOffset.FromUnixTimeMilliseconds(1457764197627), "01234567890A=", "abc.def", true, "4912661846655238145"));
        (message.Name, message.UserId, message.Context).ShouldBe(("message", "01234567890A=", null));
        (unsubscribed.UserId, unsubscribed.Subscribed).ShouldBe(("01234567890A=", false));
        (failed.MessageToken, failed.UserId).ShouldBe(("4912661846655238145", "01234567890A="));
        ViberCallbacks.Read(JsonDocument.Parse("""{"timestamp":1}""").RootElement).ShouldBeNull();
        ViberCallbacks.Read(JsonDocument.Parse("[]").RootElement).ShouldBeNull();
    }

    [Fact]
    public void AJourneyMessageCarriesTheLinkThatOpensTheBotAsItsPerson()
    {
        var step = new JourneyStep { Id = "s1", Type = StepType.Send, Channel = MessageChannel.Sms, Body = "Nhắn shop qua Viber: {{ lien_viber }}" };
        var target = new LinkTarget("shop", "profile-42", 3, 0);

        var composed = MessageComposer.Compose(step, new MessageContact { Phone = "+84901234567" }, target, Journeys);

        // The Viber link is tracked like any other, and forwards to the bot with a token naming this person only.
        composed.Body.ShouldStartWith("Nhắn shop qua Viber: https://o2o.test/r/");
        var viber = composed.Links.ShouldHaveSingleItem();
        viber.ShouldStartWith("https://o2o.test/v/");
        TrackedLinks.TryRead(viber["https://o2o.test/v/".Length..], Journeys.LinkKey, out var named).ShouldBeTrue();
        named.ShouldBe(target with { Link = TrackedLinks.ViberSubscribe });
        TrackedLinks.TryRead(viber["https://o2o.test/v/".Length..], "another-link-key-of-at-least-32-characters", out _).ShouldBeFalse();
        ViberApi.DeepLink("o2oshop", "a.b").ShouldBe("viber://pa?chatURI=o2oshop&context=a.b");
    }

    private static ViberEvent Read(string json) => ViberCallbacks.Read(JsonDocument.Parse(json).RootElement)!;
}
