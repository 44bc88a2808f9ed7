using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;

namespace O2O.Api.Identification;

/// <summary>How to reach the customer of an order: their phone, email and name, read from their profile.</summary>
public sealed record OrderContact(string? Phone, string? Email, string? Name);

/// <summary>
/// An order keeps only the pseudonyms of its customer's phone and email; when a message must go to
/// that person, the contact is read from their profile, through the identity grain the pseudonym keys.
/// An erased person has none, so nothing is sent.
/// </summary>
public static class OrderContacts
{
    public static async Task<OrderContact?> OfAsync(IGrainFactory grains, string tenant, string? phonePseudonym, string? emailPseudonym)
    {
        var profileId = await OwnerAsync(grains, tenant, IdentifierKind.Phone, phonePseudonym)
            ?? await OwnerAsync(grains, tenant, IdentifierKind.Email, emailPseudonym);
        if (profileId is null || await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).GetAsync() is not { } profile)
        {
            return null;
        }
        return new OrderContact(ValueOf(profile, IdentifierKind.Phone), ValueOf(profile, IdentifierKind.Email), profile.Traits.GetValueOrDefault("name"));
    }

    public static async Task<string?> PhoneOfAsync(IGrainFactory grains, string tenant, string? phonePseudonym) =>
        (await OfAsync(grains, tenant, phonePseudonym, null))?.Phone;

    private static async Task<string?> OwnerAsync(IGrainFactory grains, string tenant, IdentifierKind kind, string? pseudonym) =>
        pseudonym is null ? null : await grains.Identity(new IdentityKey(tenant, kind, pseudonym)).GetProfileAsync();

    private static string? ValueOf(ProfileView profile, IdentifierKind kind)
    {
        var prefix = Identifier.Prefix(kind) + ":";
        return profile.Identities.FirstOrDefault(i => i.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }
}
