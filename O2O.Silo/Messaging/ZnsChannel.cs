using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace O2O.Silo.Messaging;

/// <summary>
/// Zalo ZNS: <c>POST {BaseUrl}/message/template</c> with the OA access token in the
/// <c>access_token</c> header and <c>{"phone","template_id","template_data","tracking_id"}</c>,
/// phone written <c>84xxxxxxxxx</c>. The answer is <c>{"error":0,"message":"Success","data":{"msg_id",…}}</c>
/// or a negative error code. Error codes as Zalo's "Cách xử lý mã lỗi" guide lists them.
/// </summary>
public sealed class ZnsChannel(HttpClient http, IOptions<MessagingOptions> options) : IMessageChannel
{
    public const string HttpClientName = "zns";

    private readonly ZnsOptions _zns = options.Value.Zns;

    public Channel Channel => Channel.Zns;

    public bool IsConfigured => !string.IsNullOrEmpty(_zns.AccessToken);

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var template = message.TemplateId ?? (message.Purpose switch
        {
            MessagePurpose.Otp => _zns.OtpTemplateId,
            MessagePurpose.OrderLink => _zns.OrderTemplateId,
            MessagePurpose.Referral => _zns.ReferralTemplateId,
            _ => null,
        });
        if (template is null)
        {
            return SendResult.Failed(new ProviderError("no-template", $"no ZNS template is configured for {message.Purpose}", Retryable: false));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(_zns.BaseUrl), "/message/template"))
        {
            Content = JsonContent.Create(new ZnsRequest(message.To.TrimStart('+'), template, message.TemplateData, message.MessageId)),
        };
        request.Headers.Add("access_token", _zns.AccessToken);
        var answer = await ProviderCall.SendAsync<ZnsResponse>(http, request, "ZNS", ct);
        if (answer.Failure is { } failure)
        {
            return SendResult.Failed(failure);
        }
        if (answer.Body is { Error: 0, Data.MsgId: { } id })
        {
            return new SendResult(DeliveryStatus.Sent, _zns.CostPerMessage, id, null);
        }
        return SendResult.Failed(Classify(answer.Body?.Error ?? -100, answer.Body?.Message ?? "no message"));
    }

    /// <summary>
    /// Only the provider's "unknown error" is worth repeating; the rest (invalid phone, template
    /// not approved or without permission, quota spent, token invalid, user cannot receive) fail
    /// the same way again.
    /// </summary>
    public static ProviderError Classify(int code, string message) => code switch
    {
        -100 => new ProviderError("-100", message, Retryable: true),
        -108 => new ProviderError("-108", "invalid phone: " + message, Retryable: false),
        -109 or -111 or -112 => new ProviderError(code.ToString(System.Globalization.CultureInfo.InvariantCulture), "template: " + message, Retryable: false),
        _ => new ProviderError(code.ToString(System.Globalization.CultureInfo.InvariantCulture), message, Retryable: false),
    };

    private sealed record ZnsRequest(
        [property: JsonPropertyName("phone")] string Phone,
        [property: JsonPropertyName("template_id")] string TemplateId,
        [property: JsonPropertyName("template_data")] IReadOnlyDictionary<string, string> TemplateData,
        [property: JsonPropertyName("tracking_id")] string TrackingId);

    private sealed record ZnsResponse(
        [property: JsonPropertyName("error")] int Error,
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("data")] ZnsData? Data);

    private sealed record ZnsData([property: JsonPropertyName("msg_id")] string? MsgId);
}
