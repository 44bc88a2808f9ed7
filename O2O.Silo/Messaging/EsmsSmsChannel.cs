using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace O2O.Silo.Messaging;

/// <summary>
/// SMS brand name through eSMS.vn: <c>POST {BaseUrl}/MainService.svc/json/SendMultipleMessage_V4_post_json/</c>
/// with <c>{"ApiKey","SecretKey","Phone","Content","Brandname","SmsType","IsUnicode","Sandbox","RequestId","CallbackUrl"}</c>.
/// <c>CodeResult</c> 100 means accepted (with <c>SMSID</c>); other codes are eSMS's error table.
/// The request id is our message id, so a retry after a lost answer is refused as a duplicate (124), not sent twice.
/// </summary>
public sealed class EsmsSmsChannel(HttpClient http, IOptions<MessagingOptions> options) : IMessageChannel
{
    public const string HttpClientName = "esms";

    private readonly SmsOptions _sms = options.Value.Sms;

    public Channel Channel => Channel.Sms;

    public bool IsConfigured => !string.IsNullOrEmpty(_sms.ApiKey) && !string.IsNullOrEmpty(_sms.SecretKey) && !string.IsNullOrEmpty(_sms.Brandname);

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var phone = message.To.StartsWith("+84", StringComparison.Ordinal) ? "0" + message.To[3..] : message.To.TrimStart('+');
        var body = new EsmsRequest(_sms.ApiKey!, _sms.SecretKey!, phone, message.Text, _sms.Brandname!, _sms.SmsType,
            IsUnicode: message.Text.Any(ch => ch > 127) ? "1" : "0", Sandbox: _sms.Sandbox.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RequestId: message.MessageId, CallbackUrl: EsmsCallback.Address(_sms, message.Tenant));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(_sms.BaseUrl), "/MainService.svc/json/SendMultipleMessage_V4_post_json/"))
        {
            Content = JsonContent.Create(body, options: JsonSerializerOptions.Default),
        };
        var answer = await ProviderCall.SendAsync<EsmsResponse>(http, request, "eSMS", ct);
        if (answer.Failure is { } failure)
        {
            return SendResult.Failed(failure);
        }
        if (answer.Body is { CodeResult: "100", SmsId: { } id })
        {
            return new SendResult(DeliveryStatus.Sent, _sms.CostPerMessage, id, null);
        }
        return SendResult.Failed(Classify(answer.Body?.CodeResult ?? "99", answer.Body?.ErrorMessage ?? answer.Body?.Error ?? "no message"));
    }

    /// <summary>
    /// eSMS's error table: 99 (blocked number or connection error) may pass later; wrong keys (101),
    /// no price list (102), no balance (103), unknown brand name (104), bad phone (108), IP not
    /// whitelisted (140), unregistered customer-care template (146) fail again the same way.
    /// 124 means the request id was already accepted: the earlier attempt went through.
    /// </summary>
    public static ProviderError Classify(string code, string message) => code switch
    {
        "99" => new ProviderError(code, message, Retryable: true),
        "103" => new ProviderError(code, "quota: " + message, Retryable: false),
        "108" => new ProviderError(code, "invalid phone: " + message, Retryable: false),
        "104" or "146" => new ProviderError(code, "template or brand name not approved: " + message, Retryable: false),
        _ => new ProviderError(code, message, Retryable: false),
    };

    private sealed record EsmsRequest(
        string ApiKey, string SecretKey, string Phone, string Content, string Brandname, string SmsType,
        string IsUnicode, string Sandbox, string RequestId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CallbackUrl);

    private sealed record EsmsResponse(
        string? CodeResult,
        [property: JsonPropertyName("SMSID")] string? SmsId,
        string? ErrorMessage,
        [property: JsonPropertyName("error")] string? Error);
}

/// <summary>
/// eSMS calls back with HTTP GET on the address given with the send. It signs nothing, so the
/// address carries the tenant and an HMAC of it under <see cref="SmsOptions.CallbackSecret"/>:
/// <c>{CallbackUrl}/{tenant}/{signature}</c>; the Api's callback endpoint checks it.
/// </summary>
public static class EsmsCallback
{
    /// <summary>Null when delivery reports are not configured.</summary>
    public static string? Address(SmsOptions sms, string tenant) =>
        string.IsNullOrEmpty(sms.CallbackUrl) || string.IsNullOrEmpty(sms.CallbackSecret)
            ? null
            : $"{sms.CallbackUrl.TrimEnd('/')}/{Uri.EscapeDataString(tenant)}/{Signature(sms.CallbackSecret, tenant)}";

    public static string Signature(string secret, string tenant) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes("esms-callback:" + tenant)));
}
