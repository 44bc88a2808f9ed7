using O2O.Grains.Identity;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;

namespace O2O.Grains.Consent;

/// <summary>
/// The one question everything that contacts a person or shares their data asks first (messages,
/// journeys, the ad-platform export): may we, for this purpose, on this channel? It asks the person's
/// profile grain, which owns the consent ledger, so a withdrawal counts from the moment it is recorded.
/// </summary>
public interface IConsentChecker
{
    /// <summary>The decision for a profile.</summary>
    Task<ConsentDecision> CheckAsync(string tenant, string profileId, ConsentPurpose purpose, ConsentChannel channel = ConsentChannel.All);

    /// <summary>The decision for whoever owns an identifier (a phone before an SMS, say); no owner means no.</summary>
    Task<ConsentDecision> CheckAsync(string tenant, Identifier id, ConsentPurpose purpose, ConsentChannel channel = ConsentChannel.All);
}

/// <inheritdoc cref="IConsentChecker"/>
public sealed class ConsentChecker(IGrainFactory grains, Pseudonyms pseudonyms) : IConsentChecker
{
    public Task<ConsentDecision> CheckAsync(string tenant, string profileId, ConsentPurpose purpose, ConsentChannel channel = ConsentChannel.All) =>
        grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).CheckConsentAsync(purpose, channel);

    public async Task<ConsentDecision> CheckAsync(string tenant, Identifier id, ConsentPurpose purpose, ConsentChannel channel = ConsentChannel.All)
    {
        var owner = await grains.Identity(IdentityKey.Of(tenant, id, pseudonyms)).GetOwnerAsync();
        return owner.ProfileId is { } profileId ? await CheckAsync(tenant, profileId, purpose, channel) : ConsentDecision.NeverGiven;
    }
}
