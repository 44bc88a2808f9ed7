using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace O2O.Tests.MasterData;

/// <summary>A message a provider accepted.</summary>
public sealed record ProviderMessage(string Provider, string Phone, string? Text, IReadOnlyDictionary<string, string> TemplateData, string RequestId);

/// <summary>
/// A local stand-in for the Zalo ZNS and eSMS.vn HTTP APIs on a real Kestrel port. It is strict
/// where the providers' documentation is: it checks the documented request format (paths, headers,
/// field names and types, phone formats, credentials, approved templates and brand names, request
/// id reuse) and answers with the documented success and error bodies, so the adapters are tested
/// against the contract, not against themselves. Phones ending in 500 fail with the provider's
/// "unknown error" once, to exercise retries.
/// </summary>
public sealed partial class ProviderServer : Infrastructure.LoopbackServer
{
    public const string ZnsToken = "zns-test-access-token";
    public const string OtpTemplate = "otp-template-1";
    public const string OrderTemplate = "order-template-2";
    public const string ReferralTemplate = "referral-template-3";
    public const string UnapprovedTemplate = "not-approved-9";
    public const string EsmsKey = "esms-test-api-key";
    public const string EsmsSecret = "esms-test-secret";
    public const string Brandname = "O2OSHOP";
    public const string ZnsAppId = "1234567890123456789";
    public const string ZnsOaSecret = "zns-test-oa-secret-key";

    /// <summary>Where the ZNS stand-in posts its webhook events (Zalo's app setting); none: no events.</summary>
    public string? ZnsWebhook { get; set; }

    /// <summary>The delivery callbacks the stand-ins made, with the status code our service answered.</summary>
    public ConcurrentQueue<(string Provider, string RequestId, int Status)> Callbacks { get; } = new();

    private static readonly HttpClient Callback = new();

    private readonly ConcurrentDictionary<string, bool> _seenRequestIds = new();
    private readonly ConcurrentDictionary<string, int> _flaky = new();

    public ConcurrentQueue<ProviderMessage> Received { get; } = new();

    /// <summary>Requests the server refused as malformed (a wrong request format fails the test that looks here).</summary>
    public ConcurrentQueue<string> Malformed { get; } = new();

    private ProviderServer()
    {
    }

    public static Task<ProviderServer> StartAsync() => StartAsync(new ProviderServer());

    protected override void Map(WebApplication app)
    {
        app.MapPost("/message/template", (Delegate)ZnsAsync);
        app.MapPost("/MainService.svc/json/SendMultipleMessage_V4_post_json/", (Delegate)EsmsAsync);
    }

    /// <summary>The newest 6-digit code sent to a phone (E.164), through either provider.</summary>
    public string? LatestCodeFor(string e164)
    {
        var national = e164.TrimStart('+');
        var local = "0" + e164[3..];
        foreach (var m in Received.Reverse())
        {
            if (m.Phone != national && m.Phone != local)
            {
                continue;
            }
            if (m.TemplateData.TryGetValue("otp", out var otp))
            {
                return otp;
            }
            if (m.Text is { } text && CodeInText().Match(text) is { Success: true } match)
            {
                return match.Value;
            }
        }
        return null;
    }

    // Zalo ZNS: POST /message/template, header access_token, JSON {phone: "84…", template_id, template_data: {}, tracking_id}.
    private async Task<IResult> ZnsAsync(HttpContext http)
    {
        if (http.Request.Headers["access_token"].ToString() != ZnsToken)
        {
            return Zns(-124, "Access token is invalid");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        }
        catch (JsonException)
        {
            Malformed.Enqueue("zns: body is not JSON");
            return Zns(-100, "Unknown error");
        }
        if (!Str(body, "phone", out var phone) || !Str(body, "template_id", out var template) || !Str(body, "tracking_id", out var tracking)
            || !body.TryGetProperty("template_data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            Malformed.Enqueue("zns: phone, template_id, template_data (object) and tracking_id are required");
            return Zns(-111, "Template data empty");
        }
        if (!ZnsPhone().IsMatch(phone))
        {
            return Zns(-108, "Phone number invalid");
        }
        if (template is not (OtpTemplate or OrderTemplate or ReferralTemplate))
        {
            return Zns(-109, "Template ID invalid");
        }
        if (phone.EndsWith("500", StringComparison.Ordinal) && _flaky.AddOrUpdate(tracking, 1, (_, n) => n + 1) == 1)
        {
            return Zns(-100, "Unknown error");
        }
        var values = data.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        Received.Enqueue(new ProviderMessage("zns", phone, null, values, tracking));
        var msgId = Guid.NewGuid().ToString("N");
        if (ZnsWebhook is { } webhook)
        {
            // As Zalo does once the message reached the phone: a signed user_received_message event.
            _ = Task.Run(() => ZnsDeliveredAsync(webhook, msgId, tracking, phone));
        }
        return Results.Json(new
        {
            error = 0,
            message = "Success",
            data = new { msg_id = msgId, sent_time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(), quota = new { dailyQuota = "500", remainingQuota = "499" } },
        });
    }

    // eSMS.vn: POST …/SendMultipleMessage_V4_post_json/ with ApiKey, SecretKey, Phone, Content, Brandname, SmsType (strings, names as documented: PascalCase).
    private async Task<IResult> EsmsAsync(HttpContext http)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        }
        catch (JsonException)
        {
            Malformed.Enqueue("esms: body is not JSON");
            return Results.Json(new { error = "Invalid request" });
        }
        if (!Str(body, "ApiKey", out var key) || !Str(body, "SecretKey", out var secret) || !Str(body, "Phone", out var phone)
            || !Str(body, "Content", out var content) || !Str(body, "SmsType", out var type))
        {
            Malformed.Enqueue("esms: ApiKey, SecretKey, Phone, Content and SmsType are required strings");
            return Results.Json(new { error = "Invalid request" });
        }
        if (key != EsmsKey || secret != EsmsSecret)
        {
            return Esms("101", "Authorize Failed");
        }
        if (type == "2" && (!Str(body, "Brandname", out var brand) || brand != Brandname))
        {
            return Esms("104", "Brandname code is not exist");
        }
        if (!EsmsPhone().IsMatch(phone))
        {
            return Esms("108", "Phone number is not in correct format");
        }
        var requestId = Str(body, "RequestId", out var id) ? id : Guid.NewGuid().ToString("N");
        if (phone.EndsWith("500", StringComparison.Ordinal) && _flaky.AddOrUpdate(requestId, 1, (_, n) => n + 1) == 1)
        {
            return Results.Json(new { CodeResult = "99", CountRegenerate = 0, ErrorMessage = "Connection error" });
        }
        if (!_seenRequestIds.TryAdd(requestId, true))
        {
            return Results.Json(new { CodeResult = "124", CountRegenerate = 0, ErrorMessage = "Request exist 1", SendStatus = "5" });
        }
        Received.Enqueue(new ProviderMessage("esms", phone, content, new Dictionary<string, string>(), requestId));
        var smsId = Guid.NewGuid().ToString("N");
        if (Str(body, "CallbackUrl", out var callback))
        {
            // As eSMS does when the telco reports: an HTTP GET on the callback address; phones ending in 44 are unreachable.
            _ = Task.Run(() => EsmsDeliveredAsync(callback, smsId, requestId, phone, reached: !phone.EndsWith("44", StringComparison.Ordinal)));
        }
        return Results.Json(new { CodeResult = "100", CountRegenerate = 0, SMSID = smsId });
    }

    // eSMS' documented callback: GET {CallbackUrl}?SMSID=…&SendFailed=…&SendStatus=5&SendSuccess=…&TotalPrice=…&TotalReceiver=1&TotalSent=1&RequestId=…&TypeId=2&telcoid=…&phonenumber=…
    private async Task EsmsDeliveredAsync(string callback, string smsId, string requestId, string phone, bool reached)
    {
        await Task.Delay(50);
        var url = $"{callback}?SMSID={smsId}&SendFailed={(reached ? 0 : 1)}&SendStatus=5&SendSuccess={(reached ? 1 : 0)}&TotalPrice={(reached ? "800.0000" : "0.0000")}"
            + $"&TotalReceiver=1&TotalSent=1&RequestId={requestId}&TypeId=2&telcoid=1&phonenumber={phone}&switchsmsid=";
        using var response = await Callback.GetAsync(url);
        Callbacks.Enqueue(("esms", requestId, (int)response.StatusCode));
    }

    // Zalo's webhook: POST JSON {app_id, sender, recipient, event_name, message: {msg_id, tracking_id}, timestamp}, header X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret key).
    private async Task ZnsDeliveredAsync(string webhook, string msgId, string tracking, string phone)
    {
        await Task.Delay(50);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = JsonSerializer.Serialize(new
        {
            app_id = ZnsAppId,
            sender = new { id = "oa-579745863508352884" },
            recipient = new { id = "user-" + phone[^4..] },
            event_name = "user_received_message",
            message = new { msg_id = msgId, tracking_id = tracking },
            timestamp,
        });
        var mac = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ZnsAppId + body + timestamp + ZnsOaSecret)));
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-ZEvent-Signature", "mac=" + mac);
        using var response = await Callback.SendAsync(request);
        Callbacks.Enqueue(("zns", tracking, (int)response.StatusCode));
    }

    private static IResult Zns(int error, string message) => Results.Json(new { error, message });

    private static IResult Esms(string code, string message) => Results.Json(new { CodeResult = code, CountRegenerate = 0, ErrorMessage = message });

    private static bool Str(JsonElement body, string name, out string value)
    {
        value = "";
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String)
        {
            value = p.GetString()!;
            return value.Length > 0;
        }
        return false;
    }

    [GeneratedRegex(@"^84[35789]\d{8}$")]
    private static partial Regex ZnsPhone();

    [GeneratedRegex(@"^0[35789]\d{8}$")]
    private static partial Regex EsmsPhone();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex CodeInText();
}
