using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace O2O.Grains.Privacy;

/// <summary>
/// Keyed hashes (HMAC-SHA256 with a per-tenant secret) that stand in for phones, emails and other
/// identifiers wherever the identity itself is not needed: grain keys, Event Hubs message keys,
/// generated message ids, the suppression list. Without the secret a pseudonym cannot be reversed
/// by enumerating Vietnam's few hundred million mobile numbers; with it, a lookup by phone computes
/// the same pseudonym.
/// </summary>
public sealed class Pseudonyms(IOptions<PrivacyOptions> options)
{
    /// <summary>Bytes of the HMAC kept: 160 bits, 40 hex characters.</summary>
    private const int Bytes = 20;

    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly PrivacyOptions _options = options.Value;

    /// <summary>
    /// The grain key of something kept per phone (loyalty points, one-time codes): the tenant and the
    /// phone's pseudonym, the same one its identity grain is keyed by, never the phone.
    /// </summary>
    public string PhoneKey(string tenant, string e164) => PhoneKeyOf(tenant, Of(tenant, "phone:" + e164));

    /// <summary>The grain key of something kept per phone, from the phone's pseudonym.</summary>
    public static string PhoneKeyOf(string tenant, string phonePseudonym) => TenantKey.Compose(tenant, "phone:" + phonePseudonym);

    /// <summary>The pseudonym of <paramref name="value"/> within <paramref name="tenant"/>, as 40 lower-case hex digits.</summary>
    public string Of(string tenant, string value)
    {
        var key = _keys.GetOrAdd(tenant, KeyOf);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash[..Bytes]);
    }

    private byte[] KeyOf(string tenant) =>
        _options.TenantSecrets.TryGetValue(tenant, out var own) && own.Length > 0
            ? Encoding.UTF8.GetBytes(own)
            : HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.PseudonymSecret), Encoding.UTF8.GetBytes("o2o-tenant:" + tenant));
}
