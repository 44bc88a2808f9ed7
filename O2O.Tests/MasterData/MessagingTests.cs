using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O2O.Tests.Infrastructure;
using O2O.Silo.Messaging;

namespace O2O.Tests.MasterData;

/// <summary>
/// Messaging adapters against a local HTTP stand-in for Zalo ZNS and eSMS.vn that enforces their
/// documented request formats and answers their documented success and error bodies, and email
/// through a real SMTP server (the SmtpServer package) started by the fixture.
/// </summary>
[Collection(MasterDataCollection.Name)]
public sealed class MessagingTests(MasterDataApiFactory api)
{
    [Fact]
    public async Task ZnsCarriesThePerOrderLinkOnItsTemplateAndIsCharged()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        await OrderAsync(run, local, email: null);
        var before = await KpisAsync();

        var sent = await SendLinkAsync(run, "zns");
        sent.GetProperty("status").GetString().ShouldBe("Sent");
        sent.GetProperty("costVnd").GetInt64().ShouldBe(300);
        var message = api.Providers.Received.Single(m => m.Provider == "zns" && m.Phone == "84" + local[1..]);
        message.RequestId.ShouldBe(sent.GetProperty("messageId").GetString());
        message.TemplateData["order_code"].ShouldBe($"{run}-1");
        message.TemplateData["link"].ShouldContain("/b/");
        message.TemplateData["link"].ShouldEndWith("?m=" + sent.GetProperty("messageId").GetString());
        api.Providers.Malformed.ShouldBeEmpty();

        var after = await KpisAsync();
        (after.GetProperty("messagesSent").GetInt64() - before.GetProperty("messagesSent").GetInt64()).ShouldBe(1);
        (after.GetProperty("messageCost").GetInt64() - before.GetProperty("messageCost").GetInt64()).ShouldBe(300);
    }

    [Fact]
    public async Task ProviderRefusalsAreClassifiedPermanentOrRetryable()
    {
        using var http = new HttpClient();
        var zns = new ZnsChannel(http, Options.Create(new MessagingOptions
        {
            Zns = { BaseUrl = api.Providers.BaseUrl, AccessToken = ProviderServer.ZnsToken, OrderTemplateId = ProviderServer.UnapprovedTemplate },
        }));
        var unapproved = await zns.SendAsync(Message(Channel.Zns, TestPhones.E164(TestPhones.NewLocal())), CancellationToken.None);
        unapproved.Status.ShouldBe(DeliveryStatus.Failed);
        unapproved.Error!.Code.ShouldBe("-109");
        unapproved.Error.Retryable.ShouldBeFalse();

        var zalo = new ZnsChannel(http, Options.Create(new MessagingOptions
        {
            Zns = { BaseUrl = api.Providers.BaseUrl, AccessToken = ProviderServer.ZnsToken, OrderTemplateId = ProviderServer.OrderTemplate },
        }));
        var badPhone = await zalo.SendAsync(Message(Channel.Zns, "+8412345"), CancellationToken.None);
        badPhone.Error!.Code.ShouldBe("-108");
        badPhone.Error.Retryable.ShouldBeFalse();

        var wrongKeys = new EsmsSmsChannel(http, Options.Create(new MessagingOptions
        {
            Sms = { BaseUrl = api.Providers.BaseUrl, ApiKey = "wrong", SecretKey = "wrong", Brandname = ProviderServer.Brandname },
        }));
        var refused = await wrongKeys.SendAsync(Message(Channel.Sms, TestPhones.E164(TestPhones.NewLocal())), CancellationToken.None);
        refused.Error!.Code.ShouldBe("101");
        refused.Error.Retryable.ShouldBeFalse();

        var down = new EsmsSmsChannel(http, Options.Create(new MessagingOptions { Sms = { BaseUrl = "http://127.0.0.1:9", ApiKey = "k", SecretKey = "s", Brandname = "b" } }));
        var unreachable = await down.SendAsync(Message(Channel.Sms, TestPhones.E164(TestPhones.NewLocal())), CancellationToken.None);
        unreachable.Error!.Retryable.ShouldBeTrue();
        api.Providers.Malformed.ShouldBeEmpty();
    }

    [Fact]
    public async Task ARetryableFailureIsSentAgainWithTheSameRequestIdAndDeliveredOnce()
    {
        var phone = "+8490" + Random.Shared.Next(100, 999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "1500";
        var sender = api.Services.GetRequiredService<MessageSender>();
        var message = Message(Channel.Sms, phone);
        var result = await sender.SendAsync(message, orderId: null, CancellationToken.None);
        result.Status.ShouldBe(DeliveryStatus.Sent);
        result.Attempts.ShouldBe(2);
        api.Providers.Received.Count(m => m.RequestId == message.MessageId).ShouldBe(1);
        var text = api.Providers.Received.Single(m => m.RequestId == message.MessageId);
        text.Phone.ShouldBe("0" + phone[3..]);
    }

    [Fact]
    public async Task EmailReachesARealSmtpServerWithTheOrderLink()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var address = $"an.{run}@example.vn";
        await OrderAsync(run, TestPhones.NewLocal(), address);
        var sent = await SendLinkAsync(run, "email");
        sent.GetProperty("status").GetString().ShouldBe("Sent", sent.ToString());
        var mail = await Until.NotNullAsync(() => Task.FromResult(api.Smtp.Received.FirstOrDefault(m => m.To.Mailboxes.Any(b => b.Address == address))));
        mail.Subject.ShouldBe($"Đánh giá đơn hàng {run}-1 và nhận điểm");
        mail.From.Mailboxes.Single().Address.ShouldBe("cskh@shop.example.vn");
        mail.TextBody!.ShouldContain("/b/");
        mail.TextBody!.ShouldContain("?m=" + sent.GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task APhoneThatWithdrewMarketingConsentIsNotSentTheOrderLink()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        await OrderAsync(run, local, email: null);
        // Withdrawn in the one consent ledger (issue 16's), which every send asks.
        (await api.Writer().PostAsync("/v1/consents", Json($$$$"""
            {"phone":"{{{{local}}}}","source":"bill_qr","wordingVersion":"qr-2026-11","purposes":{"marketing":{"sms":false}}}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var sent = await SendLinkAsync(run, "sms");
        sent.GetProperty("status").GetString().ShouldBe("Blocked");
        sent.GetProperty("errorCode").GetString().ShouldBe("consent");
        sent.GetProperty("error").GetString()!.ShouldContain("opted out");
        api.Providers.Received.ShouldNotContain(m => m.Phone == local);
    }

    [Fact]
    public async Task OpeningTheLinkFromAMessageIdentifiesTheBrowserAndHandsItToTheShop()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        await OrderAsync(run, local, email: null);
        var before = await KpisAsync();
        var sent = await SendLinkAsync(run, "sms");
        var text = api.Providers.Received.Single(m => m.RequestId == sent.GetProperty("messageId").GetString()).Text!;
        var link = new Uri(text[text.IndexOf("http", StringComparison.Ordinal)..].Trim());

        var browser = $"phone-browser-{run}";
        var page = await api.Shopper().GetFromJsonAsync<JsonElement>($"{link.AbsolutePath}/order{link.Query}&aid={browser}");
        page.GetProperty("shopUrl").GetString().ShouldBe($"{MasterDataApiFactory.ShopUrl}?ajs_aid={browser}&ajs_uid=o2o-{browser}");
        var byPhone = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{local[1..]}");
        var byBrowser = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={browser}");
        byBrowser.GetProperty("profileId").GetString().ShouldBe(byPhone.GetProperty("profileId").GetString());

        // The shop's own site then tracks with that browser id: its events land on the same person.
        (await api.Writer().PostAsync("/v1/page", Json($$"""{"anonymousId":"{{browser}}","userId":"o2o-{{browser}}","name":"Trang chủ"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var later = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?userId=o2o-{browser}");
        later.GetProperty("profileId").GetString().ShouldBe(byPhone.GetProperty("profileId").GetString());

        (await KpisAsync()).GetProperty("messagesClicked").GetInt64().ShouldBe(before.GetProperty("messagesClicked").GetInt64() + 1);
        // A link without a message id (the printed bill) never identifies whoever opens it.
        var printed = await api.Shopper().GetFromJsonAsync<JsonElement>($"{link.AbsolutePath}/order?aid=stranger-{run}");
        printed.GetProperty("identified").GetBoolean().ShouldBeFalse();
        (await api.Reader().GetAsync($"/api/profiles?anonymousId=stranger-{run}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static OutgoingMessage Message(Channel channel, string to) => new()
    {
        Tenant = MasterDataApiFactory.Tenant,
        Channel = channel,
        Purpose = MessagePurpose.OrderLink,
        To = to,
        Text = "Cam on ban da mua hang. Danh gia don HD1: https://o2o.example/b/x",
        TemplateData = new Dictionary<string, string> { ["order_code"] = "HD1", ["link"] = "https://o2o.example/b/x" },
    };

    [Fact]
    public async Task DeliveryReportsFromEsmsAndZaloAreRecordedPerMessageAndCountedOnce()
    {
        // Earlier tests' messages are reported a moment after they are sent: let those land first.
        await Until.NotNullAsync(() => Task.FromResult(api.Providers.Callbacks.Count >= api.Providers.Received.Count ? "settled" : null));
        var before = await KpisAsync();
        var (smsRun, znsRun, lostRun) = (Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString("N")[..8]);
        var reachable = Reachable();
        var otherReachable = Reachable();
        // The eSMS stand-in reports phones ending in 44 as not reached, as the telco would.
        var unreachable = TestPhones.NewLocal()[..^2] + "44";
        await OrderAsync(smsRun, reachable, email: null);
        await OrderAsync(znsRun, otherReachable, email: null);
        await OrderAsync(lostRun, unreachable, email: null);

        var sms = (await SendLinkAsync(smsRun, "sms")).GetProperty("messageId").GetString()!;
        var zns = (await SendLinkAsync(znsRun, "zns")).GetProperty("messageId").GetString()!;
        var lost = (await SendLinkAsync(lostRun, "sms")).GetProperty("messageId").GetString()!;

        var reader = api.Reader();
        var smsRecord = await Eventually.GetJsonAsync(reader, $"/api/messages/{sms}", m => m.GetProperty("record").GetProperty("status").GetString() == "Delivered");
        smsRecord.GetProperty("record").GetProperty("channel").GetString().ShouldBe("Sms");
        smsRecord.GetProperty("record").GetProperty("deliveredAt").ValueKind.ShouldBe(JsonValueKind.String);
        await Eventually.GetJsonAsync(reader, $"/api/messages/{zns}", m => m.GetProperty("record").GetProperty("status").GetString() == "Delivered");
        await Eventually.GetJsonAsync(reader, $"/api/messages/{lost}", m => m.GetProperty("record").GetProperty("status").GetString() == "Failed");
        await Until.NotNullAsync(() => Task.FromResult(api.Providers.Callbacks.Count >= api.Providers.Received.Count ? "settled" : null));
        var after = await KpisAsync();
        (after.GetProperty("messagesDelivered").GetInt64() - before.GetProperty("messagesDelivered").GetInt64()).ShouldBe(2);
        (after.GetProperty("messagesFailed").GetInt64() - before.GetProperty("messagesFailed").GetInt64()).ShouldBe(1);
        (after.GetProperty("messageCost").GetInt64() - before.GetProperty("messageCost").GetInt64()).ShouldBe(800 + 300 + 800);
        api.Providers.Callbacks.Where(c => c.RequestId == sms || c.RequestId == zns || c.RequestId == lost).ShouldAllBe(c => c.Status == 200);

        // eSMS retries a callback up to five times: the same report again changes nothing.
        var options = api.Services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var callback = EsmsCallback.Address(options.Sms, MasterDataApiFactory.Tenant)!;
        using var esms = new HttpClient();
        (await esms.GetAsync($"{callback}?SMSID=x&SendFailed=0&SendStatus=5&SendSuccess=1&TotalPrice=800.0000&TotalReceiver=1&TotalSent=1&RequestId={sms}&TypeId=2")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await KpisAsync()).GetProperty("messagesDelivered").GetInt64().ShouldBe(after.GetProperty("messagesDelivered").GetInt64());

        // Forged reports are refused: a callback address we never gave out, an event Zalo did not sign.
        var forged = await esms.GetAsync(callback[..callback.LastIndexOf('/')] + "/0000?SendStatus=5&SendSuccess=1&RequestId=" + lost);
        forged.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var unsigned = await api.Shopper().PostAsync($"/v1/messaging/zns/webhook/{MasterDataApiFactory.Tenant}", Json($$"""
            {"app_id":"{{ProviderServer.ZnsAppId}}","event_name":"user_received_message","message":{"msg_id":"m","tracking_id":"{{lost}}"},"timestamp":"1764230400000"}
            """));
        unsigned.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await reader.GetFromJsonAsync<JsonElement>($"/api/messages/{lost}")).GetProperty("record").GetProperty("status").GetString().ShouldBe("Failed");
    }

    private static string Reachable()
    {
        while (true)
        {
            var phone = TestPhones.NewLocal();
            if (!phone.EndsWith("44", StringComparison.Ordinal))
            {
                return phone;
            }
        }
    }

    private async Task OrderAsync(string run, string local, string? email)
    {
        var customer = email is null ? $$"""{"phone":"{{local}}","name":"Lê Thu"}""" : $$"""{"phone":"{{local}}","email":"{{email}}","name":"Lê Thu"}""";
        (await api.Writer().PostAsync("/v1/orders", Json($$"""
            {"orderId":"{{run}}-1","source":"pos","storeId":"MDMSG","customer":{{customer}},"items":[{"sku":"vay","quantity":1,"price":700000}],"total":700000}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/orders/{run}-1");
        // The order keeps only pseudonyms; the link goes to the contact on the person's profile.
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{local[1..]}");
    }

    private async Task<JsonElement> SendLinkAsync(string run, string channel)
    {
        var response = await api.Writer().PostAsync($"/v1/orders/{run}-1/send-link", Json($$"""{"channel":"{{channel}}"}"""));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> KpisAsync() =>
        (await api.Reader().GetFromJsonAsync<JsonElement>("/api/masterdata/kpis")).GetProperty("totals");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
