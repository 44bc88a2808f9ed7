using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace O2O.Tests.Leads;

/// <summary>The consultant page in Debian's Chromium, as a consultant uses it.</summary>
public sealed class ConsultantPageTests(LeadsApiFactory api)
{
    private const string ChromiumPath = "/usr/bin/chromium";

    [Fact]
    public async Task AConsultantSignsInSeesALeadArriveAndClaimsIt()
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: install it with 'apt-get install -y chromium' (./test.sh does).");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new() { BaseURL = api.Address.ToString() });

        await page.GotoAsync("/consultant");
        await page.Locator("#consultant").SelectOptionAsync(LeadsApiFactory.DemoConsultantId);
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("trực tuyến", new() { Timeout = 30_000 });

        var phone = LeadsApiFactory.NewPhone();
        var response = await api.Writer().PostAsJsonAsync("/v1/checkins",
            new { storeId = LeadsApiFactory.DemoStore, method = "qr", phone, name = "Hoàng Thị Mai" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var lead = page.Locator(".lead", new() { HasText = "Hoàng Thị Mai" });
        await Assertions.Expect(lead).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(lead.Locator(".phone")).ToHaveTextAsync($"{phone[..3]}****{phone[^3..]}");
        await Assertions.Expect(lead.Locator(".script")).Not.ToBeEmptyAsync();
        await lead.Locator(".claim").ClickAsync();

        await Assertions.Expect(lead.Locator(".status")).ToHaveTextAsync("Bạn đã nhận", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#notice")).ToHaveTextAsync("Bạn đã nhận khách này.");
    }
}
