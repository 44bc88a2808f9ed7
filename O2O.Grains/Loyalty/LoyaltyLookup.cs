using O2O.Grains.Identity;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;

namespace O2O.Grains.Loyalty;

/// <summary>
/// A person's points as the profile and the lead card show them: the balances of the ledgers of the
/// phones on their profile (ledgers are keyed by the phone's pseudonym). Read when shown, so a point
/// earned a moment ago is there without the profile having to hear of it.
/// </summary>
public static class LoyaltyLookup
{
    /// <summary>The balance over the profile's phones; null when the profile has no phone (no ledger can exist).</summary>
    public static async Task<long?> PointsOfAsync(IGrainFactory grains, Pseudonyms pseudonyms, string tenant, ProfileView profile)
    {
        var prefix = Identifier.Prefix(IdentifierKind.Phone) + ":";
        var phones = profile.Identities.Where(i => i.StartsWith(prefix, StringComparison.Ordinal)).Select(i => i[prefix.Length..]).ToList();
        if (phones.Count == 0)
        {
            return null;
        }
        var ledgers = await Task.WhenAll(phones.Select(p => grains.GetGrain<ILoyaltyGrain>(pseudonyms.PhoneKey(tenant, p)).GetAsync()));
        return ledgers.Sum(l => l.Balance);
    }

    /// <summary>The profile with its points filled in.</summary>
    public static async Task<ProfileView> WithPointsAsync(this ProfileView profile, IGrainFactory grains, Pseudonyms pseudonyms, string tenant) =>
        profile with { LoyaltyPoints = await PointsOfAsync(grains, pseudonyms, tenant, profile) };
}
