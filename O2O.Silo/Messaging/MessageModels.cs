namespace O2O.Silo.Messaging;

/// <summary>How a message reaches a person.</summary>
public enum Channel
{
    Zns = 1,
    Sms = 2,
    Email = 3,
    /// <summary>Viber chatbot messages to the person's Viber user id (the Viber REST Bot API).</summary>
    Viber = 4,
    /// <summary>Web push to a browser's push subscription (VAPID, RFC 8030/8291/8292).</summary>
    WebPush = 5,
}

/// <summary>Why a message is sent; consent rules differ between what the person asked for and what we offer.</summary>
public enum MessagePurpose
{
    /// <summary>A one-time code the person just asked for.</summary>
    Otp = 1,
    /// <summary>A link to an order the person bought (review, points).</summary>
    OrderLink = 2,
    /// <summary>A voucher a relative sends.</summary>
    Referral = 3,
    Marketing = 4,
}

/// <summary>
/// One message to one person. <see cref="Text"/> is the full text for SMS and email; ZNS sends
/// <see cref="TemplateData"/> into an approved template, whose call-to-action button opens <see cref="Link"/>.
/// </summary>
public sealed record OutgoingMessage
{
    public required string Tenant { get; init; }
    public required Channel Channel { get; init; }
    public required MessagePurpose Purpose { get; init; }
    /// <summary>E.164 phone for ZNS and SMS, address for email, Viber user id for Viber, the subscription's endpoint for web push.</summary>
    public required string To { get; init; }
    /// <summary>
    /// The phone or email the person's consent ledger knows them by, when <see cref="To"/> is not one
    /// (a Viber user id); null: <see cref="To"/> itself.
    /// </summary>
    public O2O.Grains.Identity.Identifier? ConsentAddress { get; init; }
    /// <summary>The browser subscription's keys, for web push.</summary>
    public PushKeys? Push { get; init; }
    public required string Text { get; init; }
    public string? Subject { get; init; }
    public string? TemplateId { get; init; }
    public IReadOnlyDictionary<string, string> TemplateData { get; init; } = new Dictionary<string, string>();
    public string? Link { get; init; }
    /// <summary>
    /// The signed https address that unsubscribes the person (marketing only). Email carries it in
    /// <c>List-Unsubscribe</c> with <c>List-Unsubscribe-Post</c> (RFC 8058 one-click) besides the link in
    /// the text; SMS and ZNS carry it in the text.
    /// </summary>
    public string? UnsubscribeUrl { get; init; }
    /// <summary>Our id for the message; the provider echoes it (tracking id, request id) so a retry is not a second message.</summary>
    public string MessageId { get; init; } = Guid.NewGuid().ToString("N");
}

/// <summary>A push subscription's keys as the browser gave them (base64url): its P-256 public key and its 16-byte auth secret.</summary>
public sealed record PushKeys(string P256dh, string Auth);

/// <summary>Where a message stands.</summary>
public enum DeliveryStatus
{
    /// <summary>The provider accepted it; delivery is reported later, if at all.</summary>
    Sent = 1,
    Delivered = 2,
    Failed = 3,
    /// <summary>Not sent: the consent check said no.</summary>
    Blocked = 4,
}

/// <summary>
/// A provider's refusal. Retryable means the same message may succeed later (timeouts, 5xx, the
/// provider's own "unknown error"); permanent means sending it again is pointless or harmful
/// (invalid phone, template not approved, quota spent, credentials wrong).
/// </summary>
public sealed record ProviderError(string Code, string Message, bool Retryable);

/// <summary>The outcome of one send: status, what the provider charges, its message id, and the error if any.</summary>
public sealed record SendResult(DeliveryStatus Status, long CostVnd, string? ProviderMessageId, ProviderError? Error, int Attempts = 1)
{
    public static SendResult Failed(ProviderError error) => new(DeliveryStatus.Failed, 0, null, error);
}

/// <summary>One way of reaching people, following its provider's documented API.</summary>
public interface IMessageChannel
{
    Channel Channel { get; }

    /// <summary>True when it is configured (credentials, endpoint); a channel that is not is never chosen.</summary>
    bool IsConfigured { get; }

    /// <summary>Sends once: no retries here, <see cref="MessageSender"/> decides those.</summary>
    Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct);
}
