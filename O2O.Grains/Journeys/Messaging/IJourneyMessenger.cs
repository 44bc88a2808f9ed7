namespace O2O.Grains.Journeys.Messaging;

/// <summary>
/// One journey message on its way out. <see cref="MessageId"/> is unique per person and message and
/// stable across retries, so a provider that deduplicates by it never sends twice.
/// </summary>
public sealed record JourneyMessage(string Tenant, string MessageId, MessageChannel Channel, MessageContact To, ComposedMessage Content, string? TemplateId = null);

/// <summary>What the messaging service said: sent (with the cost the provider charges) or why not.</summary>
public sealed record DeliveryReceipt(bool Accepted, long? CostVnd, string? Error);

/// <summary>
/// How journeys reach the product's one messaging service (<c>MessageSender</c> of the master-data
/// work, in O2O.Api: its channels, retries and per-message records). Journeys run in grains, which
/// cannot see the Api's types, so the Api registers the adapter; a silo without it has no channel,
/// and a step on any channel is then suppressed as <see cref="SuppressReason.ChannelUnavailable"/>.
/// </summary>
public interface IJourneyMessenger
{
    /// <summary>The channels configured (credentials, server) in this process.</summary>
    IReadOnlyCollection<MessageChannel> Channels { get; }

    Task<DeliveryReceipt> SendAsync(JourneyMessage message, CancellationToken cancellationToken);
}

/// <summary>No messaging in this process: every channel is unavailable.</summary>
public sealed class NoJourneyMessenger : IJourneyMessenger
{
    public IReadOnlyCollection<MessageChannel> Channels => [];

    public Task<DeliveryReceipt> SendAsync(JourneyMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(new DeliveryReceipt(false, null, "no messaging service in this process"));
}
