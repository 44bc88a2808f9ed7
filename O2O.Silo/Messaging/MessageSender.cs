using Microsoft.Extensions.Options;
using O2O.Grains;
using O2O.Grains.Consent;
using O2O.Grains.Messaging;

namespace O2O.Silo.Messaging;

/// <summary>
/// The one way the product sends messages: checks consent, sends through the channel asked for,
/// repeats retryable failures a few times (same message id, so providers drop duplicates), and
/// records status and cost per message.
/// </summary>
public sealed partial class MessageSender(
    IEnumerable<IMessageChannel> channels,
    IConsentChecker consent,
    IGrainFactory grains,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<MessageSender> logger)
{
    private readonly Dictionary<Channel, IMessageChannel> _channels = channels.ToDictionary(c => c.Channel);

    /// <summary>True when the channel has credentials.</summary>
    public bool Has(Channel channel) => _channels.TryGetValue(channel, out var c) && c.IsConfigured;

    /// <summary>The first configured channel among <paramref name="preferred"/>.</summary>
    public Channel? FirstAvailable(IEnumerable<Channel> preferred) => preferred.Cast<Channel?>().FirstOrDefault(c => Has(c!.Value));

    public async Task<SendResult> SendAsync(OutgoingMessage message, string? orderId, CancellationToken ct)
    {
        var (allowed, reason) = await MayContactAsync(message);
        if (!allowed)
        {
            LogBlocked(logger, message.Channel, message.Purpose);
            return new SendResult(DeliveryStatus.Blocked, 0, null, new ProviderError("consent", reason, Retryable: false), Attempts: 0);
        }
        if (!_channels.TryGetValue(message.Channel, out var channel) || !channel.IsConfigured)
        {
            return SendResult.Failed(new ProviderError("not-configured", $"{message.Channel} has no provider configured", Retryable: false)) with { Attempts = 0 };
        }
        var o = options.Value;
        SendResult result;
        var attempt = 0;
        while (true)
        {
            attempt++;
            result = await channel.SendAsync(message, ct);
            if (result.Error is not { Retryable: true } || attempt >= o.MaxAttempts)
            {
                break;
            }
            await Task.Delay(o.RetryDelay * attempt, clock, ct);
        }
        result = result with { Attempts = attempt };
        if (result.Error is { } error)
        {
            LogFailed(logger, message.Channel, message.Purpose, error.Code, error.Retryable, attempt);
        }
        if (message.Channel == Channel.Viber && result.ProviderMessageId is { } token)
        {
            // Viber's delivery callbacks name the message by its message_token only.
            await grains.GetGrain<IProviderMessageGrain>(ProviderMessageKey(message.Tenant, Channel.Viber, token)).SetAsync(message.MessageId);
        }
        await grains.GetGrain<IMessageGrain>(TenantKey.Compose(message.Tenant, message.MessageId)).RecordAsync(new MessageRecord
        {
            Channel = message.Channel.ToString(),
            Purpose = message.Purpose.ToString(),
            Status = result.Status.ToString(),
            CostVnd = result.CostVnd,
            ProviderMessageId = result.ProviderMessageId,
            ErrorCode = result.Error?.Code,
            Retryable = result.Error?.Retryable ?? false,
            At = clock.GetUtcNow(),
            Attempts = attempt,
            OrderId = orderId,
        });
        return result;
    }

    /// <summary>The key of the <see cref="IProviderMessageGrain"/> for a provider's id of a message.</summary>
    public static string ProviderMessageKey(string tenant, Channel channel, string providerMessageId) =>
        TenantKey.Compose(tenant, $"{channel.ToString().ToLowerInvariant()}:{providerMessageId}");

    /// <summary>The consent check every send passes first, on the person's consent ledger.</summary>
    public async Task<(bool Allowed, string Reason)> MayContactAsync(OutgoingMessage message)
    {
        var marketing = MessageConsent.NeedsLedger(message.Purpose)
            ? await consent.CheckAsync(message.Tenant, message.ConsentAddress ?? MessageConsent.AddressOf(message.Channel, message.To), ConsentPurpose.Marketing, MessageConsent.ChannelOf(message.Channel))
            : ConsentDecision.NeverGiven;
        return MessageConsent.Decide(message.Purpose, marketing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Channel} message ({Purpose}) was not sent: no consent")]
    private static partial void LogBlocked(ILogger logger, Channel channel, MessagePurpose purpose);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Channel} message ({Purpose}) failed with {Code} (retryable: {Retryable}) after {Attempts} attempts")]
    private static partial void LogFailed(ILogger logger, Channel channel, MessagePurpose purpose, string code, bool retryable, int attempts);
}
