using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.MasterData;

/// <summary>
/// The shopper's side on a phone: Debian's Chromium through Playwright with a phone viewport opens
/// the link decoded from the printed QR, reviews, asks for a code, reads it from the eSMS stand-in
/// (as the phone would receive it) and confirms.
/// </summary>
[Collection(MasterDataCollection.Name)]
public sealed class BillPageBrowserTests(MasterDataApiFactory api)
{
    [Fact, Trait("Category", "Slow")]
    public async Task AShopperOnAPhoneTurnsTheirTillReceiptIntoPointsAndAKnownProfile()
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            Assert.Fail("Chromium is missing: apt-get install -y chromium (./test.sh does this).");
        }
        var run = Guid.NewGuid().ToString("N")[..8];
        var local = TestPhones.NewLocal();
        var writer = api.Writer();
        (await writer.PostAsync("/v1/identify", Json($$"""
            {"anonymousId":"pw-web-{{run}}","traits":{"phone":"{{local}}"},"context":{"page":{"url":"https://shop.vn/?utm_source=tiktok&utm_campaign=pw-{{run}}&ttclid=t1"} } }
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{local[1..]}");
        (await writer.PostAsync("/v1/orders", Json($$"""
            {"orderId":"{{run}}-PW","source":"pos","storeId":"MDPW","items":[{"sku":"giay","name":"Giày thể thao","quantity":1,"price":890000}],"total":890000}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var printed = new Uri(QrImages.Decode(await writer.GetByteArrayAsync($"/v1/orders/{run}-PW/bill-qr.png")));
        await Eventually.GetJsonAsync(api.Shopper(), printed.AbsolutePath + "/order");
        // Measured with this anonymous sale counted (it is kept, and counted, before its bill page answers).
        var before = (await api.Reader().GetFromJsonAsync<JsonElement>("/api/masterdata/kpis")).GetProperty("identifiedShare").GetDouble();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        await using var context = await browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            Locale = "vi-VN",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(api.Address, printed.AbsolutePath).ToString());

        await Assertions.Expect(page.Locator("#order-total")).ToHaveTextAsync("890.000đ");
        await Assertions.Expect(page.Locator("#points-offer")).ToContainTextAsync("Nhận 89 điểm");
        await page.Locator("#stars button[data-stars='5']").ClickAsync();
        await page.Locator("#comment").FillAsync("Giày đẹp, nhân viên tư vấn kỹ");
        await page.Locator("#send-review").ClickAsync();
        await Assertions.Expect(page.Locator("#review-done")).ToBeVisibleAsync();

        await page.Locator("#phone").FillAsync(local);
        await page.Locator("#send-code").ClickAsync();
        await Assertions.Expect(page.Locator("#code-sent")).ToContainTextAsync(local[..3] + "****" + local[^3..]);
        var code = api.Providers.LatestCodeFor(TestPhones.E164(local));
        code.ShouldNotBeNull();
        await page.Locator("#code").FillAsync(code);
        await page.Locator("#verify").ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("Bạn đã nhận 109 điểm");
        var shop = await page.Locator("#shop-link").GetAttributeAsync("href");
        shop.ShouldNotBeNull();
        shop.ShouldStartWith(MasterDataApiFactory.ShopUrl + "?ajs_aid=");
        var browserId = Uri.UnescapeDataString(shop.Split("ajs_aid=")[1].Split('&')[0]);

        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{local[1..]}",
            p => p.GetProperty("totals").GetProperty("orders").GetInt32() == 1);
        profile.GetProperty("totals").GetProperty("revenue").GetInt64().ShouldBe(890_000);
        profile.GetProperty("identities").EnumerateArray().Select(i => i.GetString()).ShouldContain($"anon:{browserId}");
        (await api.Reader().GetFromJsonAsync<JsonElement>($"/api/loyalty?phone={local}")).GetProperty("balance").GetInt64().ShouldBe(109);
        var order = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/orders/{run}-PW");
        order.GetProperty("review").GetProperty("stars").GetInt32().ShouldBe(5);
        order.GetProperty("identified").GetBoolean().ShouldBeTrue();
        var after = (await api.Reader().GetFromJsonAsync<JsonElement>("/api/masterdata/kpis")).GetProperty("identifiedShare").GetDouble();
        after.ShouldBeGreaterThan(before);

        // Opening the same printed bill again shows it linked, masked.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#linked")).ToContainTextAsync(local[..3] + "****" + local[^3..]);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
