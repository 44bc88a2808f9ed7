using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.MasterData;

/// <summary>Referral vouchers: a verified shopper invites a relative, the relative redeems at the till; every refusal says why.</summary>
[Collection(MasterDataCollection.Name)]
public sealed class ReferralTests(MasterDataApiFactory api)
{
    [Fact]
    public async Task AVerifiedShopperSendsARelativeAVoucherThatRedeemsOncePerOrderAndThenIsUsedUp()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (link, sender) = await VerifiedOrderAsync(run, "Kha, Tuấn");
        var relative = TestPhones.NewLocal();

        var response = await api.Shopper().PostAsync(link + "/refer", Json($$"""{"phone":"{{relative}}"}"""));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var decision = await response.Content.ReadFromJsonAsync<JsonElement>();
        decision.GetProperty("sent").GetBoolean().ShouldBeTrue();
        decision.GetProperty("maskedRecipient").GetString().ShouldBe(relative[..^2] + "xx");

        var message = api.Providers.Received.Single(m => m.Provider == "zns" && m.Phone == "84" + relative[1..]);
        message.TemplateData["sender"].ShouldBe($"Kha, Tuấn ({sender[..^2]}xx)");
        message.TemplateData["voucher_value"].ShouldBe("100.000đ");
        var code = message.TemplateData["code"];

        var till = api.Writer();
        var first = await RedeemAsync(till, code, $"{run}-R1", 350_000, relative);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("discount").GetInt64().ShouldBe(100_000);
        var twice = await RedeemAsync(till, code, $"{run}-R1", 350_000, relative);
        twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("already redeemed");
        var someoneElse = await RedeemAsync(till, code, $"{run}-X", 350_000, TestPhones.NewLocal());
        someoneElse.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var next = await RedeemAsync(till, code, $"{run}-R2", 200_000, relative);
        (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("discount").GetInt64().ShouldBe(20_000);
        var third = await RedeemAsync(till, code, $"{run}-R3", 200_000, relative);
        third.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await third.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("used up");

        // The relative now carries a referral touch: what they buy is credited to the referral channel.
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{relative[1..]}");
        profile.GetProperty("onlineTouches")[0].GetProperty("touch").GetProperty("source").GetString().ShouldBe("referral");
    }

    [Fact]
    public async Task ReferralsToOneselfToAnExistingBuyerTwiceOrFromAnUnverifiedBillAreRefusedWithTheReason()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (link, sender) = await VerifiedOrderAsync(run, "Lê Văn Tám");

        var self = await api.Shopper().PostAsync(link + "/refer", Json($$"""{"phone":"{{sender}}"}"""));
        await ShouldRefuse(self, HttpStatusCode.Conflict, "self");

        var buyer = TestPhones.NewLocal();
        (await api.Writer().PostAsync("/v1/orders", Json($$"""
            {"orderId":"{{run}}-B","source":"pos","storeId":"MDREF","customer":{"phone":"{{buyer}}"},"total":90000}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{buyer[1..]}", p => p.GetProperty("totals").GetProperty("orders").GetInt32() == 1);
        await ShouldRefuse(await api.Shopper().PostAsync(link + "/refer", Json($$"""{"phone":"{{buyer}}"}""")), HttpStatusCode.Conflict, "existing-buyer");

        var relative = TestPhones.NewLocal();
        (await api.Shopper().PostAsync(link + "/refer", Json($$"""{"phone":"{{relative}}"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (otherLink, _) = await VerifiedOrderAsync(run + "b", "Phạm Thị Hoa");
        await ShouldRefuse(await api.Shopper().PostAsync(otherLink + "/refer", Json($$"""{"phone":"{{relative}}"}""")), HttpStatusCode.Conflict, "already-invited");

        var unverified = await OrderLinkAsync(run + "u");
        await ShouldRefuse(await api.Shopper().PostAsync(unverified + "/refer", Json($$"""{"phone":"{{TestPhones.NewLocal()}}"}""")), HttpStatusCode.Forbidden, "not-verified");
    }

    private static async Task ShouldRefuse(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.ShouldBe(status, body.ToString());
        body.GetProperty("reason").GetString().ShouldBe(reason);
        body.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    private Task<HttpResponseMessage> RedeemAsync(HttpClient till, string code, string orderId, long total, string phone) =>
        till.PostAsync($"/v1/vouchers/{code}/redeem", Json($$"""{"orderId":"{{orderId}}","total":{{total}},"phone":"{{phone}}","storeId":"MDREF"}"""));

    /// <summary>An anonymous till order whose shopper then proves their phone (and has a name from an earlier web form).</summary>
    private async Task<(string Link, string Phone)> VerifiedOrderAsync(string run, string name)
    {
        var local = TestPhones.NewLocal();
        (await api.Writer().PostAsync("/v1/identify", Json($$"""{"anonymousId":"ref-{{run}}","traits":{"phone":"{{local}}","name":"{{name}}"} }"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{local[1..]}");
        var link = await OrderLinkAsync(run);
        var shopper = api.Shopper();
        (await shopper.PostAsync(link + "/code", Json($$"""{"phone":"{{local}}"}"""))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var code = api.Providers.LatestCodeFor(TestPhones.E164(local))!;
        (await shopper.PostAsync(link + "/verify", Json($$"""{"phone":"{{local}}","code":"{{code}}"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (link, local);
    }

    private async Task<string> OrderLinkAsync(string run)
    {
        (await api.Writer().PostAsync("/v1/orders", Json($$"""
            {"orderId":"{{run}}-1","source":"pos","storeId":"MDREF","items":[{"sku":"banh","quantity":2,"price":60000}],"total":120000}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var link = await api.Writer().GetFromJsonAsync<JsonElement>($"/v1/orders/{run}-1/bill-link");
        var path = new Uri(link.GetProperty("url").GetString()!).AbsolutePath;
        await Eventually.GetJsonAsync(api.Shopper(), path + "/order");
        return path;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
