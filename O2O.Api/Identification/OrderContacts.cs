using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;

namespace O2O.Api.Identification;

/// <summary>
/// An order keeps only the pseudonym of its customer's phone; when a message must go to that person,
/// the phone is read from their profile, through the identity grain the pseudonym keys. An erased
/// person has none, so nothing is sent.
/// </summary>
public static class OrderContacts
{
    public static async Task<string?> PhoneOfAsync(IGrainFactory grains, string tenant, string? phonePseudonym)
    {
        if (phonePseudonym is null
            || await grains.Identity(new IdentityKey(tenant, IdentifierKind.Phone, phonePseudonym)).GetProfileAsync() is not { } profileId
            || await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).GetAsync() is not { } profile)
        {
            return null;
        }
        const string Prefix = "phone:";
        return profile.Identities.FirstOrDefault(i => i.StartsWith(Prefix, StringComparison.Ordinal))?[Prefix.Length..];
    }
}
