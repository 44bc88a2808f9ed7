using O2O.Grains.Privacy;
using O2O.Grains.Profiles;

namespace O2O.Grains.Identity;

/// <summary>
/// The key of an <see cref="IIdentityGrain"/>: <c>{tenant}/{kind}:{pseudonym}</c>, the pseudonym being
/// the keyed hash of the normalised identifier, so no phone or email ever becomes a storage key.
/// Every identity grain key is made here and nowhere else.
/// </summary>
public readonly record struct IdentityKey(string Tenant, IdentifierKind Kind, string Pseudonym)
{
    /// <summary>The key of <paramref name="id"/> within <paramref name="tenant"/>.</summary>
    public static IdentityKey Of(string tenant, Identifier id, Pseudonyms pseudonyms) =>
        new(tenant, id.Kind, pseudonyms.Of(tenant, id.ToString()));

    /// <summary>
    /// Writes the grain key of <paramref name="id"/> (the <see cref="GrainKey"/> of <see cref="Of"/>) into
    /// <paramref name="destination"/> without allocating; false when it does not fit.
    /// </summary>
    public static bool TryWrite(string tenant, Identifier id, Pseudonyms pseudonyms, Span<char> destination, out int written)
    {
        var prefix = Identifier.Prefix(id.Kind);
        written = tenant.Length + 1 + prefix.Length + 1 + Pseudonyms.Length;
        if (written > destination.Length)
        {
            return false;
        }
        tenant.CopyTo(destination);
        var at = tenant.Length;
        destination[at++] = TenantKey.Separator;
        prefix.CopyTo(destination[at..]);
        at += prefix.Length;
        destination[at++] = ':';
        pseudonyms.Write(tenant, prefix, id.Value, destination.Slice(at, Pseudonyms.Length));
        return true;
    }

    /// <summary>Parses a grain key made by <see cref="Of"/>.</summary>
    public static IdentityKey Parse(string grainKey)
    {
        var (tenant, id) = TenantKey.Split(grainKey);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? IdentifierKind.Anonymous : Identifier.KindOf(id[..colon]);
        return new IdentityKey(tenant, kind, id[(colon + 1)..]);
    }

    public string GrainKey => TenantKey.Compose(Tenant, $"{Identifier.Prefix(Kind)}:{Pseudonym}");

    /// <summary>
    /// The id of the profile an identifier starts when nobody owns it, derived from its grain key so
    /// that a replay after a crash lands on the same profile. An anonymous id belongs to its derived
    /// profile until merged elsewhere, with no identity row written (see <see cref="IdentityGrain"/>).
    /// </summary>
    public static string DerivedProfileId(string grainKey)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(grainKey), hash);
        return "p_" + Convert.ToHexStringLower(hash[..12]);
    }

    public override string ToString() => GrainKey;
}

/// <summary>Reaching identity grains by <see cref="IdentityKey"/>.</summary>
public static class IdentityGrains
{
    public static IIdentityGrain Identity(this IGrainFactory grains, IdentityKey key) => grains.Get<IIdentityGrain>(key.GrainKey);

    /// <summary>The profile <paramref name="id"/> belongs to within <paramref name="tenant"/>; null when nobody has it.</summary>
    public static async Task<ProfileView?> ProfileOfAsync(this IGrainFactory grains, string tenant, Identifier id, Pseudonyms pseudonyms) =>
        await grains.Identity(IdentityKey.Of(tenant, id, pseudonyms)).GetProfileAsync() is { } profileId
            ? await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).GetAsync()
            : null;
}
