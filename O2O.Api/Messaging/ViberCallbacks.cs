using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace O2O.Api.Messaging;

/// <summary>
/// One Viber callback as the REST Bot API documents it: the event's name and time, the Viber user it
/// is about (<c>user.id</c>, <c>sender.id</c> or <c>user_id</c>, by event), the deep link's
/// <c>context</c> and <c>subscribed</c> flag of <c>conversation_started</c>, and the <c>message_token</c>
/// that names a message in <c>delivered</c>, <c>seen</c> and <c>failed</c>.
/// </summary>
public sealed record ViberEvent(string Name, DateTimeOffset? At, string? UserId, string? Context, bool Subscribed, string? MessageToken);

/// <summary>Reading and authenticating Viber's callbacks. Pure.</summary>
public static class ViberCallbacks
{
    /// <summary>
    /// Viber signs every callback: <c>X-Viber-Content-Signature</c> is the HMAC-SHA256 (hex) of the
    /// body as sent, keyed by the bot's auth token.
    /// </summary>
    public static bool SignatureValid(string? authToken, ReadOnlySpan<byte> body, string? header)
    {
        if (string.IsNullOrEmpty(authToken) || header is not { Length: 64 })
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(authToken), body);
        byte[] given;
        try
        {
            given = Convert.FromHexString(header);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The event, or null when the JSON is not an object with an <c>event</c> name.</summary>
    public static ViberEvent? Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || Text(e, "event") is not { } name)
        {
            return null;
        }
        var user = Text(Child(e, "user"), "id") ?? Text(Child(e, "sender"), "id") ?? Text(e, "user_id");
        DateTimeOffset? at = long.TryParse(Text(e, "timestamp"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        var subscribed = e.TryGetProperty("subscribed", out var s) && s.ValueKind == JsonValueKind.True;
        return new ViberEvent(name, at, user, Text(e, "context"), subscribed, Text(e, "message_token"));
    }

    private static JsonElement Child(JsonElement e, string name) =>
        e.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object ? child : default;

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch { JsonValueKind.String => v.GetString() is { Length: > 0 and <= 512 } t ? t : null, JsonValueKind.Number => v.GetRawText(), _ => null }
            : null;
}
