using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace O2O.Tests.Messaging;

/// <summary>A Viber message the stand-in accepted.</summary>
public sealed record ViberMessage(string Receiver, string SenderName, string Text, string TrackingData, long Token);

/// <summary>
/// A local stand-in for the Viber REST Bot API on a real Kestrel port, following its documentation:
/// <c>POST /pa/set_webhook</c> (checked, then a signed <c>webhook</c> call to the address), callbacks
/// signed as Viber signs them (<see cref="CallbackAsync"/>), and <c>POST /pa/send_message</c>, strict
/// where the documentation is: the <c>X-Viber-Auth-Token</c> header, the JSON field names
/// and types, the required fields of a text message, the sender name's 28 and the text's 7,000
/// characters, and Viber's way of answering (HTTP 200 with a <c>status</c>, 0 for ok). Receivers whose
/// id says so fail as Viber would: <c>unregistered-*</c> (5), <c>unsubscribed-*</c> (6), <c>busy-*</c>
/// (12, once per message), <c>down-*</c> (HTTP 503, once per message).
/// </summary>
public sealed class ViberServer : Infrastructure.LoopbackServer
{
    public const string Token = "viber-test-auth-token-0123456789";

    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private long _token = 5_741_311_803_571_721_000;

    public ConcurrentQueue<ViberMessage> Received { get; } = new();

    /// <summary>Requests that broke the documented format; a test that sees one here fails.</summary>
    public ConcurrentQueue<string> Malformed { get; } = new();

    /// <summary>The callbacks Viber's set_webhook accepts in <c>event_types</c> (its documented list).</summary>
    public static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started", "message",
    };

    private static readonly HttpClient Callbacks = new();

    /// <summary>Where the bot's callbacks go, once set_webhook succeeded, and the events asked for.</summary>
    public (string Url, IReadOnlyList<string> EventTypes)? Webhook { get; private set; }

    protected override void Map(WebApplication app)
    {
        app.MapPost("/pa/send_message", (Delegate)SendMessageAsync);
        app.MapPost("/pa/set_webhook", (Delegate)SetWebhookAsync);
    }

    /// <summary>
    /// Posts a callback to the webhook as Viber does: JSON, signed in <c>X-Viber-Content-Signature</c>
    /// with the HMAC-SHA256 (hex) of the exact body keyed by the bot's token (or with
    /// <paramref name="signature"/>, to forge one). Returns our service's answer.
    /// </summary>
    public async Task<HttpResponseMessage> CallbackAsync(string json, string? signature = null)
    {
        var url = Webhook?.Url ?? throw new InvalidOperationException("set_webhook was never called");
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Viber-Content-Signature", signature ?? Sign(body));
        return await Callbacks.SendAsync(request);
    }

    public static string Sign(byte[] body) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Token), body));

    /// <summary>
    /// set_webhook as documented: the token header, <c>url</c> (absolute; Viber wants https with a
    /// trusted certificate, which a loopback test cannot have), <c>event_types</c> from the documented
    /// list, optional booleans <c>send_name</c>/<c>send_photo</c>. Viber then calls the url with a signed
    /// <c>webhook</c> event and answers status 0 only when that call got HTTP 200.
    /// </summary>
    private async Task<IResult> SetWebhookAsync(HttpContext http)
    {
        if (http.Request.Headers["X-Viber-Auth-Token"].ToString() != Token)
        {
            return Status(2, "invalidAuthToken");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        }
        catch (JsonException)
        {
            Malformed.Enqueue("viber: set_webhook's body is not JSON");
            return Status(3, "badData");
        }
        if (!Str(body, "url", out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback))
        {
            Malformed.Enqueue("viber: set_webhook needs an absolute https url");
            return Status(1, "invalidUrl");
        }
        var events = new List<string>();
        if (body.TryGetProperty("event_types", out var types))
        {
            if (types.ValueKind != JsonValueKind.Array || types.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String || !EventTypes.Contains(t.GetString()!)))
            {
                Malformed.Enqueue("viber: event_types must be an array of the documented event names");
                return Status(3, "badData");
            }
            events.AddRange(types.EnumerateArray().Select(t => t.GetString()!));
        }
        foreach (var flag in new[] { "send_name", "send_photo" })
        {
            if (body.TryGetProperty(flag, out var f) && f.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Malformed.Enqueue($"viber: {flag} must be a boolean");
                return Status(3, "badData");
            }
        }
        var previous = Webhook;
        Webhook = (url, events);
        using var check = await CallbackAsync(JsonSerializer.Serialize(new { @event = "webhook", timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), chat_hostname = "SN-CHAT-05_", message_token = Interlocked.Increment(ref _token) }));
        if (!check.IsSuccessStatusCode)
        {
            Webhook = previous;
            return Status(1, "invalidUrl");
        }
        return Results.Json(new { status = 0, status_message = "ok", event_types = events });
    }

    private async Task<IResult> SendMessageAsync(HttpContext http)
    {
        if (http.Request.Headers["X-Viber-Auth-Token"].ToString() != Token)
        {
            return Status(2, "invalidAuthToken");
        }
        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            Malformed.Enqueue("viber: the body must be JSON");
            return Status(3, "badData");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        }
        catch (JsonException)
        {
            Malformed.Enqueue("viber: the body is not JSON");
            return Status(3, "badData");
        }
        if (!Str(body, "receiver", out var receiver) || !Str(body, "type", out var type)
            || !body.TryGetProperty("sender", out var sender) || sender.ValueKind != JsonValueKind.Object || !Str(sender, "name", out var senderName))
        {
            Malformed.Enqueue("viber: receiver, type and sender.name are required");
            return Status(4, "missingData");
        }
        if (type != "text" || !Str(body, "text", out var text))
        {
            Malformed.Enqueue("viber: a text message needs type \"text\" and a text");
            return Status(4, "missingData");
        }
        var trackingData = Str(body, "tracking_data", out var t) ? t : "";
        if (senderName.Length > 28 || text.Length > 7000 || trackingData.Length > 4096
            || (body.TryGetProperty("min_api_version", out var version) && version.ValueKind != JsonValueKind.Number))
        {
            Malformed.Enqueue("viber: sender.name <= 28, text <= 7000, tracking_data <= 4096 characters, min_api_version a number");
            return Status(3, "badData");
        }
        var attempt = _attempts.AddOrUpdate(trackingData, 1, (_, n) => n + 1);
        if (receiver.StartsWith("unregistered-", StringComparison.Ordinal))
        {
            return Status(5, "receiverNotRegistered");
        }
        if (receiver.StartsWith("unsubscribed-", StringComparison.Ordinal))
        {
            return Status(6, "receiverNotSubscribed");
        }
        if (receiver.StartsWith("busy-", StringComparison.Ordinal) && attempt == 1)
        {
            return Status(12, "tooManyRequests");
        }
        if (receiver.StartsWith("down-", StringComparison.Ordinal) && attempt == 1)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        var token = Interlocked.Increment(ref _token);
        Received.Enqueue(new ViberMessage(receiver, senderName, text, trackingData, token));
        return Results.Json(new { status = 0, status_message = "ok", message_token = token, chat_hostname = "SN-CHAT-05_" });
    }

    private static IResult Status(int status, string message) => Results.Json(new { status, status_message = message });

    private static bool Str(JsonElement e, string name, out string value)
    {
        value = "";
        if (e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s)
        {
            value = s;
            return true;
        }
        return false;
    }
}
