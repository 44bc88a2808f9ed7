using System.Buffers;
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
    /// Each thread's HMAC per tenant, keyed once and reused: OpenSSL 3 sets a one-shot HMAC up from
    /// nothing on every call (about 2 µs here, where a reused one takes 0.8; bench/README.md, issue 20),
    /// and every event's identifiers are hashed. An <see cref="IncrementalHash"/> is not thread-safe,
    /// hence one per thread; it is used synchronously, never across an await. A thread keeps at most
    /// <see cref="TenantsPerThread"/>.
    /// </summary>
    private readonly ThreadLocal<Dictionary<string, IncrementalHash>> _hmacs = new(() => new(StringComparer.Ordinal));

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
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Hash(tenant, Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash[..Bytes]);
    }

    /// <summary>
    /// Writes the pseudonym of <c>{prefix}:{value}</c> (what <see cref="Of"/> gives for that text) into
    /// <paramref name="hex"/> (40 characters) without allocating: the resolver looks its cache up this
    /// way for every event.
    /// </summary>
    public void Write(string tenant, string prefix, string value, Span<char> hex)
    {
        var most = Encoding.UTF8.GetMaxByteCount(prefix.Length + 1 + value.Length);
        byte[]? rented = null;
        var text = most <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(most));
        try
        {
            // UTF-8 of the concatenation: the prefix and ':' are ASCII, so the value encodes the same after them.
            var length = Encoding.UTF8.GetBytes(prefix, text);
            text[length++] = (byte)':';
            length += Encoding.UTF8.GetBytes(value, text[length..]);
            Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
            Hash(tenant, text[..length], hash);
            Convert.TryToHexStringLower(hash[..Bytes], hex, out _);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>HMAC-SHA256 of <paramref name="text"/> under the tenant's key, with this thread's HMAC for that tenant.</summary>
    private void Hash(string tenant, ReadOnlySpan<byte> text, Span<byte> hash)
    {
        var hmacs = _hmacs.Value!;
        if (!hmacs.TryGetValue(tenant, out var hmac))
        {
            if (hmacs.Count == TenantsPerThread)
            {
                // Many tenants on one thread: start over rather than keep a native HMAC for each of them on every thread.
                foreach (var old in hmacs.Values)
                {
                    old.Dispose();
                }
                hmacs.Clear();
            }
            hmacs.Add(tenant, hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, KeyFor(tenant)));
        }
        try
        {
            hmac.AppendData(text);
            hmac.GetHashAndReset(hash);
        }
        catch
        {
            // Never reuse an HMAC that may hold half a text: the next pseudonym would be wrong.
            hmacs.Remove(tenant);
            hmac.Dispose();
            throw;
        }
    }

    private const int TenantsPerThread = 16;

    /// <summary>Characters of a pseudonym.</summary>
    public const int Length = Bytes * 2;

    /// <summary>The tenant's HMAC key. Looked up before it is made, so a hit allocates no delegate (a method group of an instance method is a new one each time).</summary>
    private byte[] KeyFor(string tenant) => _keys.TryGetValue(tenant, out var key) ? key : _keys.GetOrAdd(tenant, KeyOf);

    private byte[] KeyOf(string tenant) =>
        _options.TenantSecrets.TryGetValue(tenant, out var own) && own.Length > 0
            ? Encoding.UTF8.GetBytes(own)
            : HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.PseudonymSecret), Encoding.UTF8.GetBytes("o2o-tenant:" + tenant));
}
