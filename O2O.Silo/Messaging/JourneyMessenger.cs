using Microsoft.Extensions.Options;
using O2O.Grains.Identity;
using O2O.Grains.Journeys;
using O2O.Grains.Journeys.Messaging;

namespace O2O.Silo.Messaging;

/// <summary>
/// Journeys' messages go through the product's one <see cref="MessageSender"/>, in the process that
/// runs the journey grains (a silo: O2O.Silo, or O2O.Api when it embeds one): its channels (ZNS,
/// eSMS, SMTP, Viber, web push), retries by message id, consent hook and per-message records.
/// </summary>
public sealed class JourneyMessenger(MessageSender sender, IOptions<JourneyOptions> options) : IJourneyMessenger
{
    private static readonly Dictionary<MessageChannel, Channel> Providers = new()
    {
        [MessageChannel.Email] = Channel.Email,
        [MessageChannel.Sms] = Channel.Sms,
        [MessageChannel.Zalo] = Channel.Zns,
        [MessageChannel.Viber] = Channel.Viber,
        [MessageChannel.WebPush] = Channel.WebPush,
    };

    public IReadOnlyCollection<MessageChannel> Channels => [.. Providers.Where(p => sender.Has(p.Value)).Select(p => p.Key)];

    public async Task<DeliveryReceipt> SendAsync(JourneyMessage message, CancellationToken cancellationToken)
    {
        if (!Providers.TryGetValue(message.Channel, out var channel))
        {
            return new DeliveryReceipt(false, null, "not-configured");
        }
        var to = channel switch
        {
            Channel.Email => message.To.Email,
            Channel.Viber => message.To.Traits.GetValueOrDefault(MessageContact.ViberIdTrait),
            Channel.WebPush => message.To.Traits.GetValueOrDefault(MessageContact.WebPushEndpointTrait),
            _ => message.To.Phone,
        };
        if (to is null)
        {
            return new DeliveryReceipt(false, null, "no-address");
        }
        var content = message.Content;
        var link = content.Links.Count > 0 ? content.Links[0] : null;
        var outgoing = new OutgoingMessage
        {
            Tenant = message.Tenant,
            Channel = channel,
            Purpose = MessagePurpose.Marketing,
            To = to,
            Text = content.Body,
            Subject = content.Subject,
            // ZNS sends an approved template, its button opening the first tracked link.
            TemplateId = channel == Channel.Zns ? message.TemplateId ?? options.Value.ZaloTemplateId : null,
            TemplateData = channel == Channel.Zns
                ? new Dictionary<string, string>
                {
                    ["customer_name"] = message.To.Name ?? "Quý khách",
                    ["content"] = content.Body,
                    ["link"] = link ?? content.UnsubscribeUrl,
                }
                : new Dictionary<string, string>(),
            Link = channel is Channel.Zns or Channel.WebPush ? link : null,
            Push = channel == Channel.WebPush
                && message.To.Traits.GetValueOrDefault(MessageContact.WebPushP256dhTrait) is { } p256dh
                && message.To.Traits.GetValueOrDefault(MessageContact.WebPushAuthTrait) is { } auth
                ? new PushKeys(p256dh, auth)
                : null,
            MessageId = message.MessageId,
            UnsubscribeUrl = content.UnsubscribeUrl,
            // A Viber user id or a push endpoint is unknown to the consent ledger: the person's phone (or email) is what it knows.
            ConsentAddress = channel is not (Channel.Viber or Channel.WebPush) ? null
                : message.To.Phone is { } phone ? new Identifier(IdentifierKind.Phone, phone)
                : message.To.Email is { } email ? new Identifier(IdentifierKind.Email, email)
                : null,
        };
        var result = await sender.SendAsync(outgoing, orderId: null, cancellationToken);
        return result.Status is Messaging.DeliveryStatus.Sent or Messaging.DeliveryStatus.Delivered
            ? new DeliveryReceipt(true, result.CostVnd, null)
            : new DeliveryReceipt(false, null, result.Error?.Code ?? result.Status.ToString());
    }
}
