using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using O2O.Grains;
using O2O.Grains.Consent;
using O2O.Grains.Identity;
using O2O.Grains.Messaging;
using O2O.Silo.Messaging;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Messaging;

/// <summary>The Viber channel against a stand-in that enforces the Viber REST Bot API's documented request format and statuses.</summary>
[Trait("Category", "Slow")]
public sealed class ViberChannelTests(ViberServer viber, ClusterFixture cluster) : IClassFixture<ViberServer>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task AViberMessageGoesToTheSubscriberInTheDocumentedFormatWithItsCost()
    {
        var message = Message("subscriber-" + Guid.NewGuid().ToString("N")[..8]) with { Link = "https://o2o.test/r/abc.def" };

        var result = await Channel().SendAsync(message, TestContext.Current.CancellationToken);

        result.Status.ShouldBe(DeliveryStatus.Sent);
        result.CostVnd.ShouldBe(450);
        var received = viber.Received.Single(m => m.Receiver == message.To);
        result.ProviderMessageId.ShouldBe(received.Token.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (received.SenderName, received.TrackingData).ShouldBe(("Cửa hàng O2O", message.MessageId));
        received.Text.ShouldBe("Chào Lan, ưu đãi tháng này\nhttps://o2o.test/r/abc.def");
        viber.Malformed.ShouldBeEmpty();
    }

    [Fact]
    public async Task ViberRefusalsAreClassifiedPermanentOrRetryable()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid().ToString("N")[..8];

        var wrongToken = await Channel(token: "not-the-bot-token").SendAsync(Message("subscriber-" + id), ct);
        var unregistered = await Channel().SendAsync(Message("unregistered-" + id), ct);
        var unsubscribed = await Channel().SendAsync(Message("unsubscribed-" + id), ct);
        var busy = await Channel().SendAsync(Message("busy-" + id), ct);
        var down = await Channel().SendAsync(Message("down-" + id), ct);
        var unreachable = await Channel(baseUrl: "http://127.0.0.1:9").SendAsync(Message("subscriber-" + id), ct);
        var tooLong = await Channel().SendAsync(Message("subscriber-" + id) with { Text = new string('a', ViberChannel.MaxText + 1) }, ct);

        (wrongToken.Error!.Code, wrongToken.Error.Retryable).ShouldBe(("2", false));
        (unregistered.Error!.Code, unregistered.Error.Retryable).ShouldBe(("5", false));
        (unsubscribed.Error!.Code, unsubscribed.Error.Retryable).ShouldBe(("6", false));
        (busy.Error!.Code, busy.Error.Retryable).ShouldBe(("12", true));
        (down.Error!.Code, down.Error.Retryable).ShouldBe(("http-503", true));
        unreachable.Error!.Retryable.ShouldBeTrue();
        (tooLong.Error!.Code, tooLong.Error.Retryable).ShouldBe(("too-long", false));
        ViberChannel.Classify(99, "whatever").Retryable.ShouldBeTrue("Viber's general error is worth repeating");
        viber.Malformed.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheSenderRetriesViberThrottlingAndRecordsTheMessageWithItsCost()
    {
        var options = Options.Create(Settings());
        var sender = new MessageSender([new ViberChannel(Http, options)], new ConsentChecker(cluster.Grains, TestSecrets.Pseudonyms),
            cluster.Grains, options, TimeProvider.System, NullLogger<MessageSender>.Instance);
        var tenant = ClusterFixture.NewTenant();
        var message = Message("busy-" + Guid.NewGuid().ToString("N")[..8]) with { Tenant = tenant };

        var result = await sender.SendAsync(message, orderId: null, TestContext.Current.CancellationToken);

        (result.Status, result.Attempts).ShouldBe((DeliveryStatus.Sent, 2));
        var record = await cluster.Grains.GetGrain<IMessageGrain>(TenantKey.Compose(tenant, message.MessageId)).GetAsync();
        (record!.Channel, record.Status, record.CostVnd, record.Attempts).ShouldBe(("Viber", "Sent", 450L, 2));
        viber.Received.Count(m => m.TrackingData == message.MessageId).ShouldBe(1);
    }

    private ViberChannel Channel(string token = ViberServer.Token, string? baseUrl = null) =>
        new(Http, Options.Create(Settings(token, baseUrl)));

    private MessagingOptions Settings(string token = ViberServer.Token, string? baseUrl = null) => new()
    {
        Viber = { BaseUrl = baseUrl ?? viber.BaseUrl, AuthToken = token, SenderName = "Cửa hàng O2O", CostPerMessage = 450 },
        RetryDelay = TimeSpan.FromMilliseconds(10),
    };

    /// <summary>A link to the person's own order: with no opt-out on the ledger it may go, so the channel alone decides.</summary>
    private static OutgoingMessage Message(string viberId) => new()
    {
        Tenant = "viber-tests",
        Channel = Silo.Messaging.Channel.Viber,
        Purpose = MessagePurpose.OrderLink,
        To = viberId,
        Text = "Chào Lan, ưu đãi tháng này",
        ConsentAddress = new Identifier(IdentifierKind.Phone, "+84901234567"),
    };
}
