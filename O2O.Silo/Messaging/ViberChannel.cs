using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace O2O.Silo.Messaging;

/// <summary>
/// Viber chatbot messages, as the Viber REST Bot API documents <c>send_message</c>:
/// <c>POST {BaseUrl}/pa/send_message</c> with the bot's token in <c>X-Viber-Auth-Token</c> and
/// <c>{"receiver","min_api_version","sender":{"name","avatar"},"tracking_data","type":"text","text"}</c>.
/// Viber answers HTTP 200 with <c>{"status":0,"status_message":"ok","message_token":…}</c>, or a
/// non-zero <c>status</c> naming the error. The receiver is the person's Viber user id, known only
/// after they subscribed to the bot. The message id travels as <c>tracking_data</c>, which Viber
/// hands back with the person's reply and its delivery callbacks.
/// </summary>
public sealed class ViberChannel(HttpClient http, IOptions<MessagingOptions> options) : IMessageChannel
{
    public const string HttpClientName = "viber";

    /// <summary>Viber's limit on a text message.</summary>
    public const int MaxText = 7000;

    private readonly ViberOptions _viber = options.Value.Viber;

    public Channel Channel => Channel.Viber;

    public bool IsConfigured => !string.IsNullOrEmpty(_viber.AuthToken);

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var text = message.Link is null ? message.Text : $"{message.Text}\n{message.Link}";
        if (text.Length > MaxText)
        {
            return SendResult.Failed(new ProviderError("too-long", $"Viber takes at most {MaxText} characters", Retryable: false));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(_viber.BaseUrl), "/pa/send_message"))
        {
            Content = JsonContent.Create(new ViberRequest(message.To, 1, new ViberSender(_viber.SenderName, _viber.SenderAvatar), message.MessageId, "text", text)),
        };
        request.Headers.Add("X-Viber-Auth-Token", _viber.AuthToken);
        var answer = await ProviderCall.SendAsync<ViberResponse>(http, request, "Viber", ct);
        if (answer.Failure is { } failure)
        {
            return SendResult.Failed(failure);
        }
        if (answer.Body is { Status: 0, MessageToken: { } token })
        {
            return new SendResult(DeliveryStatus.Sent, _viber.CostPerMessage, token.ToString(CultureInfo.InvariantCulture), null);
        }
        return SendResult.Failed(Classify(answer.Body?.Status ?? -1, answer.Body?.StatusMessage ?? "no status"));
    }

    /// <summary>The callbacks the webhook asks Viber for (<c>event_types</c>).</summary>
    public static readonly IReadOnlyList<string> WebhookEvents = ["delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started", "message"];

    /// <summary>
    /// Points the bot's callbacks at <paramref name="url"/> (<c>POST {BaseUrl}/pa/set_webhook</c> with
    /// <c>{"url","event_types","send_name","send_photo"}</c>). Viber first calls the address with a signed
    /// <c>webhook</c> event and answers status 0 only when that got HTTP 200. Names and photos are not
    /// asked for: we keep nothing from them. Null when Viber accepted; else its refusal.
    /// </summary>
    public async Task<ProviderError?> SetWebhookAsync(string url, CancellationToken ct)
    {
        if (!IsConfigured)
        {
            return new ProviderError("not-configured", "Viber has no auth token configured", Retryable: false);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(_viber.BaseUrl), "/pa/set_webhook"))
        {
            Content = JsonContent.Create(new WebhookRequest(url, WebhookEvents, SendName: false, SendPhoto: false)),
        };
        request.Headers.Add("X-Viber-Auth-Token", _viber.AuthToken);
        var answer = await ProviderCall.SendAsync<ViberResponse>(http, request, "Viber", ct);
        return answer.Failure ?? (answer.Body is { Status: 0 } ? null : Classify(answer.Body?.Status ?? -1, answer.Body?.StatusMessage ?? "no status"));
    }

    /// <summary>
    /// Viber's error statuses. Worth repeating: 12 (too many requests) and its general error (any
    /// status it does not name); the rest fail the same way again: a bad token or request (1-4), a
    /// receiver who is not on Viber, not subscribed or on an unsuitable device (5, 6, 11), the bot
    /// blocked, missing, suspended or not authorised (7-10, 15), API version (13, 14), or what the
    /// account may not do or pay for (16-24).
    /// </summary>
    public static ProviderError Classify(int status, string message)
    {
        var code = status.ToString(CultureInfo.InvariantCulture);
        return status switch
        {
            12 => new ProviderError(code, "too many requests: " + message, Retryable: true),
            5 or 6 or 11 => new ProviderError(code, "receiver cannot get bot messages: " + message, Retryable: false),
            >= 1 and <= 24 => new ProviderError(code, message, Retryable: false),
            _ => new ProviderError(code, "general error: " + message, Retryable: true),
        };
    }

    private sealed record ViberRequest(
        [property: JsonPropertyName("receiver")] string Receiver,
        [property: JsonPropertyName("min_api_version")] int MinApiVersion,
        [property: JsonPropertyName("sender")] ViberSender Sender,
        [property: JsonPropertyName("tracking_data")] string TrackingData,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("text")] string Text);

    private sealed record WebhookRequest(
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("event_types")] IReadOnlyList<string> EventTypes,
        [property: JsonPropertyName("send_name")] bool SendName,
        [property: JsonPropertyName("send_photo")] bool SendPhoto);

    private sealed record ViberSender(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("avatar"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Avatar);

    private sealed record ViberResponse(
        [property: JsonPropertyName("status")] int Status,
        [property: JsonPropertyName("status_message")] string? StatusMessage,
        [property: JsonPropertyName("message_token")] long? MessageToken);
}
