using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains.Attribution;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.MasterData;

/// <summary>
/// The bill QR path through the real Api: the POS prints the QR, a phone decodes it, the shopper
/// reviews, proves a phone with a code that travels through the eSMS stand-in, and becomes a known
/// customer with the order, points and a re-attributed purchase.
/// </summary>
[Collection(MasterDataCollection.Name)]
public sealed class BillQrTests(MasterDataApiFactory api)
{
    [Fact, Trait("Category", "Slow")]
    public async Task AnAnonymousTillBuyerScansTheBillProvesTheirPhoneAndBecomesAKnownCustomer()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        var phone = TestPhones.E164(local);
        var store = $"MD{run}";
        var writer = api.Writer();

        // Online first: a Facebook ad click, then the phone through a form on the shop's site.
        (await writer.PostAsync("/v1/identify", Json($$"""
            {"anonymousId":"web-{{run}}","traits":{"phone":"{{local}}","name":"Kha Tuấn"},
             "context":{"page":{"url":"https://shop.vn/?utm_source=facebook&utm_medium=paid_social&utm_campaign=md-{{run}}&fbclid=f{{run}}"} } }
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone={Uri.EscapeDataString(phone)}");
        var kpisBefore = await KpisAsync();

        // At the till nobody asks for a phone.
        (await writer.PostAsync("/v1/orders", Json($$"""
            {"orderId":"{{run}}-1","source":"pos","storeId":"{{store}}","items":[{"sku":"ao-thun","name":"Áo thun","quantity":3,"price":150000}],"total":450000}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var png = await writer.GetByteArrayAsync($"/v1/orders/{run}-1/bill-qr.png");
        var link = new Uri(QrImages.Decode(png));
        link.AbsolutePath.ShouldStartWith("/b/");
        var shopper = api.Shopper();
        var page = await Eventually.GetJsonAsync(shopper, link.AbsolutePath + "/order?aid=bill-" + run);
        page.GetProperty("total").GetInt64().ShouldBe(450_000);
        page.GetProperty("pointsToCollect").GetInt64().ShouldBe(45);
        page.GetProperty("identified").GetBoolean().ShouldBeFalse();

        (await shopper.PostAsync(link.AbsolutePath + "/review", Json("""{"stars":5,"comment":"Nhân viên nhiệt tình"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var sent = await shopper.PostAsync(link.AbsolutePath + "/code", Json($$"""{"phone":"{{local}}"}"""));
        sent.StatusCode.ShouldBe(HttpStatusCode.Accepted, await sent.Content.ReadAsStringAsync());
        var code = api.Providers.LatestCodeFor(phone);
        code.ShouldNotBeNull();
        code.Length.ShouldBe(6);

        var verified = await shopper.PostAsync(link.AbsolutePath + "/verify", Json($$"""{"phone":"{{local}}","code":"{{code}}","anonymousId":"bill-{{run}}"}"""));
        verified.StatusCode.ShouldBe(HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        var result = await verified.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("pointsEarned").GetInt64().ShouldBe(45 + 20);
        result.GetProperty("balance").GetInt64().ShouldBe(65);
        result.GetProperty("shopUrl").GetString().ShouldBe($"{MasterDataApiFactory.ShopUrl}?ajs_aid=bill-{run}&ajs_uid=o2o-bill-{run}");

        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone={Uri.EscapeDataString(phone)}",
            p => p.GetProperty("totals").GetProperty("orders").GetInt32() == 1);
        profile.GetProperty("totals").GetProperty("revenue").GetInt64().ShouldBe(450_000);
        profile.GetProperty("identities").EnumerateArray().Select(i => i.GetString()).ShouldContain($"anon:bill-{run}");
        profile.GetProperty("identities").EnumerateArray().Select(i => i.GetString()).ShouldContain($"anon:web-{run}");
        var loyalty = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/loyalty?phone={local}");
        loyalty.GetProperty("balance").GetInt64().ShouldBe(65);

        // The purchase was organic while nobody was known; now it is Facebook's.
        var day = await Until.NotNullAsync(async () =>
        {
            var slice = await api.Services.GetRequiredService<IGrainFactory>()
                .GetGrain<IAttributionDayGrain>(ReportCalendar.Key(MasterDataApiFactory.Tenant, ReportCalendar.DayOf(DateTimeOffset.UtcNow)))
                .GetAsync(AttributionModel.LastTouch, TouchDimension.Campaign);
            return slice.Credit.Any(c => c.Key == $"md-{run}" && c.Revenue == 450_000) ? slice : null;
        });
        var storeRow = day.Stores.Single(s => s.StoreId == store);
        storeRow.Purchases.ShouldBe(1);
        storeRow.OrganicPurchases.ShouldBe(0);
        storeRow.Revenue.ShouldBe(450_000);

        var kpisAfter = await KpisAsync();
        Delta(kpisBefore, kpisAfter, "offlineOrders").ShouldBe(1);
        Delta(kpisBefore, kpisAfter, "offlineIdentifiedLater").ShouldBe(1);
        Delta(kpisBefore, kpisAfter, "billScans").ShouldBe(1);
        Delta(kpisBefore, kpisAfter, "otpSent").ShouldBe(1);
        Delta(kpisBefore, kpisAfter, "otpVerified").ShouldBe(1);

        var reopened = await shopper.GetFromJsonAsync<JsonElement>(link.AbsolutePath + "/order");
        reopened.GetProperty("identified").GetBoolean().ShouldBeTrue();
        reopened.GetProperty("maskedPhone").GetString().ShouldBe(local[..3] + "****" + local[^3..]);
    }

    [Fact]
    public async Task AGuessedOrTamperedLinkIsRefused()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var link = await api.Writer().GetFromJsonAsync<JsonElement>($"/v1/orders/{run}-9/bill-link");
        var token = new Uri(link.GetProperty("url").GetString()!).AbsolutePath["/b/".Length..];
        var (payload, signature) = (token[..token.IndexOf('.')], token[(token.IndexOf('.') + 1)..]);

        // Another order's id in the payload, with the signature of this one.
        var other = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(
            Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(payload)).Replace($"{run}-9", $"{run}-8")));
        var flipped = signature[..^1] + (signature[^1] == 'A' ? 'B' : 'A');
        foreach (var forged in new[] { $"{other}.{signature}", $"{payload}.{flipped}", $"{payload}", "HD000123", "" + payload + ".AAAAAAAAAAAAAAAAAAAAAA" })
        {
            var response = await api.Shopper().GetAsync($"/b/{forged}/order");
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, forged);
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString().ShouldBe("Liên kết không hợp lệ");
            (await api.Shopper().PostAsync($"/b/{forged}/code", Json("""{"phone":"0901234567"}"""))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task TheCodeIsLockedAfterTheAttemptLimitEvenForTheRightCode()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        var link = await OrderWithLinkAsync(run);
        var shopper = api.Shopper();
        (await shopper.PostAsync(link + "/code", Json($$"""{"phone":"{{local}}"}"""))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var code = api.Providers.LatestCodeFor(TestPhones.E164(local))!;
        var wrong = code == "000000" ? "111111" : "000000";
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var response = await shopper.PostAsync(link + "/verify", Json($$"""{"phone":"{{local}}","code":"{{wrong}}"}"""));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain($"còn {5 - attempt} lần");
        }
        var locked = await shopper.PostAsync(link + "/verify", Json($$"""{"phone":"{{local}}","code":"{{wrong}}"}"""));
        locked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        locked.Headers.RetryAfter.ShouldNotBeNull();
        var right = await shopper.PostAsync(link + "/verify", Json($$"""{"phone":"{{local}}","code":"{{code}}"}"""));
        right.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await shopper.PostAsync(link + "/code", Json($$"""{"phone":"{{local}}"}"""))).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task ASecondCodeRightAwayIsRefusedWithWhenToRetry()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        var link = await OrderWithLinkAsync(run);
        (await api.Shopper().PostAsync(link + "/code", Json($$"""{"phone":"{{local}}"}"""))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var again = await api.Shopper().PostAsync(link + "/code", Json($$"""{"phone":"{{local}}"}"""));
        again.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        again.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThan(0);
        var bad = await api.Shopper().PostAsync(link + "/code", Json("""{"phone":"12345"}"""));
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheQrIsAlsoServedAsSvgWithTheSameLink()
    {
        var svg = await api.Writer().GetAsync("/v1/orders/HD-SVG-1/bill-qr.svg");
        svg.StatusCode.ShouldBe(HttpStatusCode.OK);
        svg.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        (await svg.Content.ReadAsStringAsync()).ShouldContain("<svg");
        (await api.Shopper().GetAsync("/v1/orders/HD-SVG-1/bill-qr.svg")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<string> OrderWithLinkAsync(string run)
    {
        (await api.Writer().PostAsync("/v1/orders", Json($$"""
            {"orderId":"{{run}}-1","source":"pos","storeId":"MDLOCK","items":[{"sku":"tra","quantity":1,"price":50000}],"total":50000}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var link = await api.Writer().GetFromJsonAsync<JsonElement>($"/v1/orders/{run}-1/bill-link");
        var path = new Uri(link.GetProperty("url").GetString()!).AbsolutePath;
        await Eventually.GetJsonAsync(api.Shopper(), path + "/order");
        return path;
    }

    private async Task<JsonElement> KpisAsync() =>
        (await api.Reader().GetFromJsonAsync<JsonElement>("/api/masterdata/kpis")).GetProperty("totals");

    private static long Delta(JsonElement before, JsonElement after, string name) =>
        after.GetProperty(name).GetInt64() - before.GetProperty(name).GetInt64();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
