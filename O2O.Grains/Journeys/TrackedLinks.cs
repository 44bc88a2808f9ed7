using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace O2O.Grains.Journeys;

/// <summary>What a tracked link points at: one link (its index, or <see cref="TrackedLinks.Unsubscribe"/>) of one message to one person.</summary>
public readonly record struct LinkTarget(string Tenant, string ProfileId, int Message, int Link);

/// <summary>
/// Short signed tokens for the links in messages: <c>{payload}.{signature}</c>, both base64url;
/// the payload names tenant, person, message and link, the signature is a truncated HMAC-SHA256,
/// so nobody can forge a click or an unsubscribe for somebody else.
/// </summary>
public static class TrackedLinks
{
    public const int Unsubscribe = 255;

    /// <summary>
    /// The link that opens the tenant's Viber bot with this token as the deep link's <c>context</c>:
    /// Viber hands the context back when the person starts the conversation, naming them.
    /// </summary>
    public const int ViberSubscribe = 254;
    private const int SignatureBytes = 9;

    public static string Token(LinkTarget target, string key)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join('|', target.Tenant, target.ProfileId,
            target.Message.ToString(System.Globalization.CultureInfo.InvariantCulture), target.Link.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Sign(payload, key));
    }

    public static bool TryRead(string? token, string key, out LinkTarget target)
    {
        target = default;
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || token.Length > 512 || dot < 1)
        {
            return false;
        }
        byte[] payload, signature;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }
        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(payload, key)))
        {
            return false;
        }
        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts.Length != 4 || !int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var message)
            || !int.TryParse(parts[3], System.Globalization.CultureInfo.InvariantCulture, out var link))
        {
            return false;
        }
        target = new LinkTarget(parts[0], parts[1], message, link);
        return true;
    }

    public static string ClickUrl(string baseUrl, string token) => baseUrl.TrimEnd('/') + "/r/" + token;

    public static string UnsubscribeUrl(string baseUrl, string token) => baseUrl.TrimEnd('/') + "/u/" + token;

    /// <summary>Our address that forwards to the Viber bot's deep link for the person the token names.</summary>
    public static string ViberUrl(string baseUrl, string token) => baseUrl.TrimEnd('/') + "/v/" + token;

    private static byte[] Sign(byte[] payload, string key) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), payload).AsSpan(0, SignatureBytes).ToArray();
}
