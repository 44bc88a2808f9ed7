namespace O2O.Grains.Journeys.Messaging;

/// <summary>
/// One message on its way out. The idempotency key is unique per person and message; providers
/// that deduplicate get it, so a retry never sends twice.
/// </summary>
public sealed record OutgoingMessage(string Tenant, string IdempotencyKey, MessageChannel Channel, MessageContact To, ComposedMessage Content);

/// <summary>What the provider said.</summary>
public sealed record DeliveryReceipt(bool Accepted, string? ProviderId, string? Error);

/// <summary>
/// Sends messages on one channel. Journeys' own small abstraction until the messaging work of the
/// master-data issue lands; one implementation per channel, registered in DI.
/// </summary>
public interface IMessageSender
{
    MessageChannel Channel { get; }

    /// <summary>False when the channel is not configured here (no SMTP host, no gateway).</summary>
    bool Enabled { get; }

    Task<DeliveryReceipt> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}

/// <summary>The senders this process has, by channel.</summary>
public sealed class MessageSenders(IEnumerable<IMessageSender> senders)
{
    private readonly Dictionary<MessageChannel, IMessageSender> _byChannel = senders.Where(s => s.Enabled).ToDictionary(s => s.Channel);

    public IEnumerable<MessageChannel> Channels => _byChannel.Keys;

    public bool Has(MessageChannel channel) => _byChannel.ContainsKey(channel);

    public async Task<DeliveryReceipt> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await _byChannel[message.Channel].SendAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new DeliveryReceipt(false, null, ex.GetType().Name);
        }
    }
}
