using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using O2O.Silo.Messaging;

namespace O2O.Api.Messaging;

/// <summary>What a provider's delivery callback says about one of our messages.</summary>
public enum ReportedStatus
{
    /// <summary>Still on its way (waiting for approval, to be sent, or for the telco's report): nothing to record yet.</summary>
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}

/// <summary>
/// The providers' documented delivery callbacks, read and authenticated. Pure: the endpoints in
/// <see cref="DeliveryReportsApi"/> call these and record the outcome per message.
/// </summary>
public static class DeliveryReports
{
    public static bool EsmsSignatureValid(SmsOptions sms, string tenant, string signature) =>
        !string.IsNullOrEmpty(sms.CallbackSecret)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(EsmsCallback.Signature(sms.CallbackSecret, tenant)), Encoding.ASCII.GetBytes(signature));

    /// <summary>
    /// eSMS' <c>SendStatus</c>: 1 waiting for approval, 2 waiting to send, 4 rejected, 5 sent (then
    /// <c>SendSuccess</c>/<c>SendFailed</c> count the recipients it reached or not), 7 with the telco.
    /// </summary>
    public static ReportedStatus EsmsStatus(string? sendStatus, string? sendSuccess, string? sendFailed) => sendStatus switch
    {
        "4" => ReportedStatus.Failed,
        "5" when Count(sendSuccess) > 0 => ReportedStatus.Delivered,
        "5" when Count(sendFailed) > 0 => ReportedStatus.Failed,
        _ => ReportedStatus.Pending,
    };

    private static int Count(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>
    /// Zalo signs every webhook event: <c>X-ZEvent-Signature: mac=</c> the SHA-256 (hex) of the app id,
    /// the JSON body as sent, the event's <c>timestamp</c> and the OA secret key, concatenated.
    /// </summary>
    public static bool ZnsSignatureValid(ZnsOptions zns, string body, string timestamp, string? header)
    {
        if (string.IsNullOrEmpty(zns.AppId) || string.IsNullOrEmpty(zns.OaSecretKey) || header is null || !header.StartsWith("mac=", StringComparison.Ordinal))
        {
            return false;
        }
        var expected = ZnsMac(zns.AppId, body, timestamp, zns.OaSecretKey);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(header[4..].Trim().ToLowerInvariant()));
    }

    public static string ZnsMac(string appId, string body, string timestamp, string oaSecretKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appId + body + timestamp + oaSecretKey)));

    /// <summary>
    /// A ZNS webhook event: <c>user_received_message</c> (the message reached the phone) names our
    /// message by the <c>tracking_id</c> we sent; other events are not about delivery.
    /// </summary>
    public static (string? Timestamp, string? TrackingId, ReportedStatus Status, DateTimeOffset? At) ReadZnsEvent(JsonElement e)
    {
        var timestamp = Text(e, "timestamp");
        var received = Text(e, "event_name") == "user_received_message";
        var tracking = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? Text(m, "tracking_id") : null;
        var deliveredAt = received && e.TryGetProperty("delivery_time", out _) ? Text(e, "delivery_time") : timestamp;
        DateTimeOffset? at = long.TryParse(deliveredAt, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return (timestamp, tracking, received ? ReportedStatus.Delivered : ReportedStatus.Pending, at);
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Number => v.GetRawText(), _ => null }
            : null;
}
