using O2O.Grains;
using O2O.Grains.Messaging;

namespace O2O.Api.Messaging;

/// <summary>The answer of a consent check, with its reason so every refusal is explained.</summary>
public sealed record ConsentDecision(bool Allowed, string Reason);

/// <summary>
/// Asked before any message is sent. Consent proper (purposes, channels, proof) is modelled later;
/// this hook is where it will plug in.
/// </summary>
public interface IConsentCheck
{
    ValueTask<ConsentDecision> MayContactAsync(string tenant, Channel channel, string address, MessagePurpose purpose, CancellationToken ct);
}

/// <summary>
/// Today's rule: anyone may be contacted unless they opted out of that address; a one-time code
/// the person has just asked for is always sent, since refusing it would lock them out.
/// </summary>
public sealed class AllowUnlessOptedOutConsent(IGrainFactory grains) : IConsentCheck
{
    public async ValueTask<ConsentDecision> MayContactAsync(string tenant, Channel channel, string address, MessagePurpose purpose, CancellationToken ct)
    {
        if (purpose == MessagePurpose.Otp)
        {
            return new ConsentDecision(true, "the person asked for this code");
        }
        return await grains.GetGrain<IContactPreferenceGrain>(TenantKey.Compose(tenant, address)).IsOptedOutAsync()
            ? new ConsentDecision(false, "the person opted out of messages on this address")
            : new ConsentDecision(true, "no opt-out recorded");
    }
}
