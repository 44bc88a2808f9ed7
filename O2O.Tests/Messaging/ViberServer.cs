using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace O2O.Tests.Messaging;

/// <summary>A Viber message the stand-in accepted.</summary>
public sealed record ViberMessage(string Receiver, string SenderName, string Text, string TrackingData, long Token);

/// <summary>
/// A local stand-in for the Viber REST Bot API's <c>POST /pa/send_message</c> on a real Kestrel port,
/// strict where Viber's documentation is: the <c>X-Viber-Auth-Token</c> header, the JSON field names
/// and types, the required fields of a text message, the sender name's 28 and the text's 7,000
/// characters, and Viber's way of answering (HTTP 200 with a <c>status</c>, 0 for ok). Receivers whose
/// id says so fail as Viber would: <c>unregistered-*</c> (5), <c>unsubscribed-*</c> (6), <c>busy-*</c>
/// (12, once per message), <c>down-*</c> (HTTP 503, once per message).
/// </summary>
public sealed class ViberServer : IAsyncLifetime
{
    public const string Token = "viber-test-auth-token-0123456789";

    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private WebApplication? _app;
    private long _token = 5_741_311_803_571_721_000;

    public ConcurrentQueue<ViberMessage> Received { get; } = new();

    /// <summary>Requests that broke the documented format; a test that sees one here fails.</summary>
    public ConcurrentQueue<string> Malformed { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/pa/send_message", (Delegate)SendMessageAsync);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
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
