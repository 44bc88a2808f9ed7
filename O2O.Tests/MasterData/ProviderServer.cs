using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
public sealed partial class ProviderServer : IAsyncDisposable
{
    public const string ZnsToken = "zns-test-access-token";
    public const string OtpTemplate = "otp-template-1";
    public const string OrderTemplate = "order-template-2";
    public const string ReferralTemplate = "referral-template-3";
    public const string UnapprovedTemplate = "not-approved-9";
    public const string EsmsKey = "esms-test-api-key";
    public const string EsmsSecret = "esms-test-secret";
    public const string Brandname = "O2OSHOP";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _seenRequestIds = new();
    private readonly ConcurrentDictionary<string, int> _flaky = new();

    public ConcurrentQueue<ProviderMessage> Received { get; } = new();

    /// <summary>Requests the server refused as malformed (a wrong request format fails the test that looks here).</summary>
    public ConcurrentQueue<string> Malformed { get; } = new();

    public string BaseUrl { get; private set; } = "";

    private ProviderServer(WebApplication app) => _app = app;

    public static async Task<ProviderServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ProviderServer(app);
        app.MapPost("/message/template", (Delegate)server.ZnsAsync);
        app.MapPost("/MainService.svc/json/SendMultipleMessage_V4_post_json/", (Delegate)server.EsmsAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
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
        return Results.Json(new
        {
            error = 0,
            message = "Success",
            data = new { msg_id = Guid.NewGuid().ToString("N"), sent_time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(), quota = new { dailyQuota = "500", remainingQuota = "499" } },
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
        return Results.Json(new { CodeResult = "100", CountRegenerate = 0, SMSID = Guid.NewGuid().ToString("N") });
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
