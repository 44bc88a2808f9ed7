using System.Security.Cryptography;
using System.Text;

namespace O2O.Grains.Administration;

/// <summary>
/// Making and hashing write keys and API tokens. They are 256 random bits, so one SHA-256 is enough
/// to store them (a password needs a slow hash because people choose guessable ones; these are not chosen).
/// </summary>
public static class Secrets
{
    /// <summary>A new secret with a readable prefix that says what it is (<c>o2o_wk_…</c>, <c>o2o_at_…</c>).</summary>
    public static string New(CredentialKind kind) =>
        (kind == CredentialKind.WriteKey ? "o2o_wk_" : "o2o_at_") + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static SecretDigest Digest(string secret) => new(Hash(secret), "…" + secret[^4..]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
