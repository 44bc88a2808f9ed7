using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using O2O.Tests.Leads;

namespace O2O.Tests.Identity;

/// <summary>People sign in through the identity provider's own login page, in Debian's Chromium.</summary>
[Collection(ProviderCollection.Name)]
[Trait("Category", "Slow")]
public sealed class SignInBrowserTests(ProviderApi fixture)
{
    private const string ChromiumPath = "/usr/bin/chromium";

    [Fact]
    public async Task AConsultantSignsInWithTheCompanyAccountAndSeesTheFeed()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { BaseURL = fixture.Api.Address.ToString() });

        await page.GotoAsync("/consultant");
        await page.Locator("#sign-in-provider").ClickAsync();
        await SignInAtProviderAsync(page, ProviderApi.Consultant);

        await Assertions.Expect(page.Locator("#who-name")).ToHaveTextAsync(ProviderApi.Consultant.Name, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#who-team")).ToHaveTextAsync(ProviderApi.Store);
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("trực tuyến", new() { Timeout = 30_000 });

        var response = await fixture.Api.Writer().PostAsJsonAsync("/v1/checkins",
            new { storeId = ProviderApi.Store, method = "qr", phone = LeadsApiFactory.NewPhone(), name = "Đỗ Thị Hạnh" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Assertions.Expect(page.Locator(".lead", new() { HasText = "Đỗ Thị Hạnh" })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await page.Locator("#sign-out").ClickAsync();
        await Assertions.Expect(page.Locator("#sign-in-provider")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task AMarketerSignsInWithTheCompanyAccountAndSeesTheDashboard()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { BaseURL = fixture.Api.Address.ToString() });

        await page.GotoAsync("/dashboard");
        await page.Locator("#sign-in-provider").ClickAsync();
        await SignInAtProviderAsync(page, ProviderApi.Marketer);

        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync(ProviderApi.Marketer.Name, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#kpis")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task AnAdminSignsInAddsAStoreAndASourceWhoseKeyIsShownOnceAndIngests()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { BaseURL = fixture.Api.Address.ToString() });

        await page.GotoAsync("/admin");
        await page.Locator("#sign-in-provider").ClickAsync();
        await SignInAtProviderAsync(page, ProviderApi.Admin);
        await Assertions.Expect(page.Locator("#who-name")).ToHaveTextAsync(ProviderApi.Admin.Name, new() { Timeout = 30_000 });

        var store = LeadsApiFactory.NewStore("AD");
        await page.Locator("#store-form [name=code]").FillAsync(store);
        await page.Locator("#store-form [name=name]").FillAsync("O2O Thủ Đức");
        await page.Locator("#store-form button").ClickAsync();
        await Assertions.Expect(page.Locator("#stores", new() { HasText = "O2O Thủ Đức" })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await page.Locator("#source-form [name=name]").FillAsync("Website Thủ Đức");
        await page.Locator("#source-form [name=allowedOrigins]").FillAsync("https://thuduc.shop.vn");
        await page.Locator("#source-form button").ClickAsync();
        await Assertions.Expect(page.Locator("#secret")).ToContainTextAsync("o2o_wk_", new() { Timeout = 30_000 });
        var key = (await page.Locator("#secret").InnerTextAsync()).Split(' ').Last();
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("source.created");
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync(ProviderApi.Admin.Name);

        using var writer = Caller.WriteKey(fixture.Api.Address, "new source", key).NewClient();
        var response = await writer.PostAsJsonAsync("/v1/checkins", new { storeId = store, method = "qr", phone = LeadsApiFactory.NewPhone() });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#sources")).ToContainTextAsync("Website Thủ Đức", new() { Timeout = 30_000 });
        (await page.ContentAsync()).ShouldNotContain(key, Case.Sensitive, "the key is shown once");
    }

    [Fact]
    public async Task AConsultantCannotOpenTheDashboard()
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { BaseURL = fixture.Api.Address.ToString() });

        await page.GotoAsync("/dashboard");
        await page.Locator("#sign-in-provider").ClickAsync();
        await SignInAtProviderAsync(page, ProviderApi.Consultant);

        await Assertions.Expect(page.Locator("#denied")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#kpis")).ToHaveCountAsync(0);
    }

    private async Task SignInAtProviderAsync(IPage page, ProviderUser user)
    {
        await page.WaitForURLAsync(url => url.StartsWith(fixture.Provider.Issuer.ToString(), StringComparison.Ordinal), new() { Timeout = 30_000 });
        await page.Locator("#username").FillAsync(user.Login);
        await page.Locator("#password").FillAsync(user.Password);
        await page.Locator("#submit").ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(fixture.Api.Address.ToString(), StringComparison.Ordinal), new() { Timeout = 30_000 });
    }

    private static async Task<Chromium> LaunchAsync()
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: install it with 'apt-get install -y chromium' (./test.sh does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        return new Chromium(playwright, browser);
    }

    private sealed class Chromium(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public Task<IPage> NewPageAsync(BrowserNewPageOptions options) => browser.NewPageAsync(options);

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
