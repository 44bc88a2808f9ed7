using O2O.Grains.Consent;
using O2O.Grains.Identity;

namespace O2O.Silo.Messaging;

/// <summary>
/// Whether a message may go out, decided on the one consent model (the person's consent ledger, asked
/// through <see cref="IConsentChecker"/>), with the reason every refusal and every send carries. Pure.
/// </summary>
public static class MessageConsent
{
    /// <summary>The consent channel a message channel is: ZNS is Zalo.</summary>
    public static ConsentChannel ChannelOf(Channel channel) => channel switch
    {
        Channel.Zns => ConsentChannel.Zalo,
        Channel.Sms => ConsentChannel.Sms,
        Channel.Email => ConsentChannel.Email,
        Channel.Viber => ConsentChannel.Viber,
        Channel.WebPush => ConsentChannel.WebPush,
        _ => ConsentChannel.All,
    };

    /// <summary>The identifier the message is addressed to, as the person's identity grain knows it.</summary>
    public static Identifier AddressOf(Channel channel, string to) =>
        new(channel == Channel.Email ? IdentifierKind.Email : IdentifierKind.Phone, to);

    /// <summary>True when the purpose needs the ledger's answer at all.</summary>
    public static bool NeedsLedger(MessagePurpose purpose) => purpose != MessagePurpose.Otp;

    /// <summary>
    /// A one-time code the person just asked for always goes (refusing it would lock them out). A link
    /// to their own order and a relative's voucher go unless the person withdrew marketing on that
    /// channel (or on all). Marketing needs marketing consent given on that channel.
    /// </summary>
    public static (bool Allowed, string Reason) Decide(MessagePurpose purpose, ConsentDecision marketing)
    {
        if (purpose == MessagePurpose.Otp)
        {
            return (true, "the person asked for this code");
        }
        if (marketing.Allowed)
        {
            return (true, "marketing consent given");
        }
        if (marketing.Basis is { Granted: false } withdrawn)
        {
            return (false, $"the person opted out of marketing on {(withdrawn.Channel == ConsentChannel.All ? "every channel" : withdrawn.Channel.ToString())}");
        }
        return purpose == MessagePurpose.Marketing
            ? (false, "no marketing consent on this channel")
            : (true, "about the person's own order or a relative's invitation; no opt-out recorded");
    }
}
