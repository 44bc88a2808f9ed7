using Microsoft.Extensions.Options;
using O2O.Api.Privacy;
using O2O.Grains;
using O2O.Grains.Consent;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Grains.Messaging;
using O2O.Grains.Profiles;
using O2O.Silo.Messaging;

namespace O2O.Api.Messaging;

/// <summary>What a Viber callback did.</summary>
public enum ViberOutcome
{
    /// <summary>Nothing for us: an unknown user or context, an event we do not use.</summary>
    Ignored = 0,
    /// <summary>The user opened the bot through a person's link; they are not subscribed yet.</summary>
    Linked = 1,
    /// <summary>The person's <c>viber_id</c> and Viber consent are recorded.</summary>
    Subscribed = 2,
    /// <summary>The person's Viber consent is withdrawn.</summary>
    Unsubscribed = 3,
    Delivered = 4,
    Failed = 5,
}

/// <summary>
/// What Viber's callbacks mean for our people and messages. A person is named by the signed token in
/// the deep link's <c>context</c> (a <see cref="TrackedLinks"/> token for <see cref="TrackedLinks.ViberSubscribe"/>),
/// which <c>conversation_started</c> carries; later callbacks name only the Viber user, so the user is
/// linked to that profile (<see cref="IViberSubscriberGrain"/>). Subscribing (the <c>subscribed</c>
/// event, or a first message, which subscribes without one) records <see cref="MessageContact.ViberIdTrait"/>
/// and marketing consent on Viber; <c>unsubscribed</c> withdraws that consent before the answer.
/// Delivery receipts name the message by Viber's <c>message_token</c>, kept at send.
/// </summary>
public sealed partial class ViberWebhook(
    IGrainFactory grains, EventApplier applier, Grains.Privacy.Pseudonyms pseudonyms, IOptions<MessagingOptions> messaging,
    IOptions<JourneyOptions> journeys, TimeProvider clock, ILogger<ViberWebhook> logger)
{
    public async Task<ViberOutcome> HandleAsync(string tenant, ViberEvent e)
    {
        var outcome = e.Name switch
        {
            "conversation_started" => await ConversationStartedAsync(tenant, e),
            "subscribed" or "message" => await SubscribedAsync(tenant, e),
            "unsubscribed" => await UnsubscribedAsync(tenant, e),
            "delivered" or "seen" or "failed" => await ReceiptAsync(tenant, e),
            _ => ViberOutcome.Ignored,
        };
        LogEvent(logger, e.Name, outcome);
        return outcome;
    }

    /// <summary>The key that signs tracked links, the Viber link among them.</summary>
    public string LinkKey => journeys.Value.LinkKey;

    /// <summary>The profile a deep link's context names in this tenant, or null (not ours, forged, another tenant's).</summary>
    public string? ProfileOf(string tenant, string? context) =>
        TrackedLinks.TryRead(context, LinkKey, out var target) && target.Link == TrackedLinks.ViberSubscribe && target.Tenant == tenant
            ? target.ProfileId
            : null;

    private async Task<ViberOutcome> ConversationStartedAsync(string tenant, ViberEvent e)
    {
        if (e.UserId is not { } user || ProfileOf(tenant, e.Context) is not { } profileId)
        {
            return ViberOutcome.Ignored;
        }
        await Subscriber(tenant, user).LinkAsync(profileId);
        // Someone already subscribed who opens the bot through our link: nothing else will tell us.
        return e.Subscribed ? await SubscribedAsync(tenant, e) : ViberOutcome.Linked;
    }

    private async Task<ViberOutcome> SubscribedAsync(string tenant, ViberEvent e)
    {
        if (e.UserId is not { } user)
        {
            return ViberOutcome.Ignored;
        }
        var (profileId, changed) = await Subscriber(tenant, user).SetSubscribedAsync(true);
        if (profileId is null)
        {
            return ViberOutcome.Ignored;
        }
        if (!changed)
        {
            return ViberOutcome.Subscribed;
        }
        return await RecordAsync(tenant, profileId, user, granted: true, e) ? ViberOutcome.Subscribed : ViberOutcome.Ignored;
    }

    private async Task<ViberOutcome> UnsubscribedAsync(string tenant, ViberEvent e)
    {
        if (e.UserId is not { } user || (await Subscriber(tenant, user).SetSubscribedAsync(false)).ProfileId is not { } profileId)
        {
            return ViberOutcome.Ignored;
        }
        // Withdrawn even when we never saw the subscription: the person said no to Viber, whatever came before.
        return await RecordAsync(tenant, profileId, user, granted: false, e) ? ViberOutcome.Unsubscribed : ViberOutcome.Ignored;
    }

    private async Task<ViberOutcome> ReceiptAsync(string tenant, ViberEvent e)
    {
        if (e.MessageToken is not { } token
            || await grains.GetGrain<IProviderMessageGrain>(MessageSender.ProviderMessageKey(tenant, Channel.Viber, token)).GetAsync() is not { } messageId)
        {
            return ViberOutcome.Ignored;
        }
        // Seen implies delivered; a message already reported stays as it was.
        var delivered = e.Name != "failed";
        await grains.GetGrain<IMessageGrain>(TenantKey.Compose(tenant, messageId)).DeliveryReportAsync(delivered, e.At ?? clock.GetUtcNow());
        return delivered ? ViberOutcome.Delivered : ViberOutcome.Failed;
    }

    /// <summary>
    /// Applies the subscription to the person's profile before the answer, as an event naming them by
    /// the phone (or email) their profile holds: that is what the consent ledger is asked with at send.
    /// False when the profile is gone (erased, merged) or holds neither.
    /// </summary>
    private async Task<bool> RecordAsync(string tenant, string profileId, string viberId, bool granted, ViberEvent e)
    {
        var contact = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).GetContactAsync();
        if (contact is null || (contact.Phone is null && contact.Email is null))
        {
            return false;
        }
        var at = e.At ?? clock.GetUtcNow();
        var change = new ConsentChange(ConsentPurpose.Marketing, ConsentChannel.Viber, granted, ConsentSource.Chatbot, messaging.Value.Viber.ConsentWording);
        var (applied, duplicates) = await applier.ApplyAsync([new CustomerEvent
        {
            // Viber retries a callback that did not get 200: the same event is applied once.
            MessageId = $"viber-{e.Name}-{ViberKey(tenant, viberId)}-{e.MessageToken ?? at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            Tenant = tenant,
            Type = granted ? EventType.Identify : EventType.Track,
            Name = granted ? null : ConsentJson.ConsentUpdated,
            Timestamp = at,
            Phone = contact.Phone,
            Email = contact.Phone is null ? contact.Email : null,
            Traits = granted ? new Dictionary<string, string> { [MessageContact.ViberIdTrait] = viberId } : null,
            Consents = [change],
        }]);
        return applied + duplicates > 0;
    }

    private IViberSubscriberGrain Subscriber(string tenant, string viberId) => grains.GetGrain<IViberSubscriberGrain>(TenantKey.Compose(tenant, ViberKey(tenant, viberId)));

    /// <summary>A Viber user id as storage keys and message ids carry it: its keyed pseudonym, never the id itself.</summary>
    private string ViberKey(string tenant, string viberId) => pseudonyms.Of(tenant, "viber:" + viberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "A Viber {Event} callback: {Outcome}")]
    private static partial void LogEvent(ILogger logger, string @event, ViberOutcome outcome);
}
