using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using O2O.Grains.Leads;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Leads;

/// <summary>The consultant page in Debian's Chromium, as a consultant uses it, on a desktop and on a 390 px phone.</summary>
[Trait("Category", "Slow")]
public sealed class ConsultantPageTests(LeadsApiFactory api)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = 30_000 };

    [Fact]
    public async Task AConsultantSignsInSeesALeadArriveAndClaimsIt()
    {
        await using var browser = await ConsultantBrowser.LaunchAsync();
        var page = await browser.SignInAsync(api, "desktop");

        var phone = LeadsApiFactory.NewPhone();
        await CheckInAsync(api, LeadsApiFactory.DemoStore, phone, "Hoàng Thị Mai");

        var lead = page.Locator(".lead", new() { HasText = "Hoàng Thị Mai" });
        await Assertions.Expect(lead).ToBeVisibleAsync(Soon);
        await Assertions.Expect(lead.Locator(".phone")).ToHaveTextAsync($"{phone[..3]}****{phone[^3..]}");
        await Assertions.Expect(lead.Locator(".script")).Not.ToBeEmptyAsync();
        await Assertions.Expect(lead.Locator(".age")).ToContainTextAsync("Khách từ");
        await lead.Locator(".claim").ClickAsync();

        await Assertions.Expect(lead.Locator(".status")).ToHaveTextAsync("Bạn đã nhận", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#notice")).ToHaveTextAsync("Bạn đã nhận khách này.");

        // Once claimed, the full number is one tap away, with call and Zalo links.
        await lead.Locator(".reveal").ClickAsync();
        var local = phone;
        await Assertions.Expect(lead.Locator(".phone-full")).ToHaveTextAsync(local, new() { Timeout = 30_000 });
        await Assertions.Expect(lead.Locator(".call")).ToHaveAttributeAsync("href", "tel:+84" + phone[1..]);
        await Assertions.Expect(lead.Locator(".zalo")).ToHaveAttributeAsync("href", "https://zalo.me/" + local);

        await Accessibility.AssertNoSeriousViolationsAsync(page, "the consultant queue");
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task ALostReasonBeingTypedSurvivesNewLeadsArriving(string device)
    {
        await using var browser = await ConsultantBrowser.LaunchAsync();
        var page = await browser.SignInAsync(api, device);
        var name = "Trần Thị Bích " + Guid.NewGuid().ToString("N")[..4];
        await CheckInAsync(api, LeadsApiFactory.DemoStore, LeadsApiFactory.NewPhone(), name);
        var lead = page.Locator(".lead", new() { HasText = name });
        await Assertions.Expect(lead).ToBeVisibleAsync(Soon);
        await lead.Locator(".claim").ClickAsync();
        await Assertions.Expect(lead.Locator(".status")).ToHaveTextAsync("Bạn đã nhận", new() { Timeout = 30_000 });
        (await lead.Locator(".claim").BoundingBoxAsync()).ShouldBeNull("the claim button goes once claimed");

        // Recording "lost" without a reason is refused next to the card, in Vietnamese.
        await lead.Locator(".outcome").SelectOptionAsync("Lost");
        await lead.Locator(".record").ClickAsync();
        await Assertions.Expect(lead.Locator(".card-error")).ToHaveTextAsync("Hãy ghi lý do khách không thành công.");

        var reason = lead.Locator(".lost-reason");
        await reason.FillAsync("Khách chê giá cao, hẹn ");
        await lead.EvaluateAsync("node => node.dataset.marker = 'same-node'");
        // New leads arrive while the consultant is still typing.
        var newcomers = Enumerable.Range(0, 3).Select(i => "Khách mới " + i + " " + Guid.NewGuid().ToString("N")[..4]).ToList();
        foreach (var newcomer in newcomers)
        {
            await CheckInAsync(api, LeadsApiFactory.DemoStore, LeadsApiFactory.NewPhone(), newcomer);
        }
        foreach (var newcomer in newcomers)
        {
            await Assertions.Expect(page.Locator(".lead", new() { HasText = newcomer })).ToBeVisibleAsync(Soon);
        }
        await reason.PressSequentiallyAsync("tuần sau");

        await Assertions.Expect(reason).ToHaveValueAsync("Khách chê giá cao, hẹn tuần sau");
        await Assertions.Expect(lead.Locator(".outcome")).ToHaveValueAsync("Lost");
        (await reason.EvaluateAsync<bool>("input => document.activeElement === input")).ShouldBeTrue("focus stays in the reason being typed");
        (await lead.GetAttributeAsync("data-marker")).ShouldBe("same-node", "the card is updated in place, not rebuilt");
        await Assertions.Expect(page.Locator("#offers .lead", new() { HasText = newcomers[0] })).ToBeVisibleAsync();
        (await page.TitleAsync()).ShouldStartWith("(");

        await lead.Locator(".record").ClickAsync();
        await Assertions.Expect(lead.Locator(".status")).ToHaveTextAsync("Đã đóng: Không thành công", new() { Timeout = 30_000 });
        await AssertFitsAsync(page, device);
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task CuttingTheConnectionShowsTheBannerDisablesClaimingAndRestoringRecovers(string device)
    {
        await using var browser = await ConsultantBrowser.LaunchAsync();
        var page = await browser.SignInAsync(api, device);
        var name = "Lê Văn Cường " + Guid.NewGuid().ToString("N")[..4];
        await CheckInAsync(api, LeadsApiFactory.DemoStore, LeadsApiFactory.NewPhone(), name);
        var lead = page.Locator(".lead", new() { HasText = name });
        await Assertions.Expect(lead).ToBeVisibleAsync(Soon);
        await page.EvaluateAsync("() => window.sameDocument = true");

        await page.Context.SetOfflineAsync(true);

        await Assertions.Expect(page.Locator("#banner")).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("#banner-text")).ToContainTextAsync("Mất mạng");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("mất kết nối");
        await Assertions.Expect(lead.Locator(".claim")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#retry")).ToBeVisibleAsync();

        await page.Context.SetOfflineAsync(false);

        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("trực tuyến", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#banner")).ToBeHiddenAsync();
        await Assertions.Expect(lead.Locator(".claim")).ToBeEnabledAsync();
        await lead.Locator(".claim").ClickAsync();
        await Assertions.Expect(lead.Locator(".status")).ToHaveTextAsync("Bạn đã nhận", new() { Timeout = 30_000 });
        (await page.EvaluateAsync<bool>("() => window.sameDocument === true")).ShouldBeTrue("recovered without a reload");
        await AssertFitsAsync(page, device);
    }

    internal static async Task CheckInAsync(LeadsApiFactory api, string store, string phone, string name)
    {
        var response = await api.Writer().PostAsJsonAsync("/v1/checkins", new { storeId = store, method = "qr", phone, name });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>On a phone the page never scrolls sideways and buttons are big enough to hit.</summary>
    internal static async Task AssertFitsAsync(IPage page, string device)
    {
        if (device != "phone")
        {
            return;
        }
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
        var heights = await page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('button, select, input:not([type=checkbox]), a.btn')].filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)");
        heights.ShouldNotBeEmpty();
        heights.ShouldAllBe(h => h >= 44);
    }
}

/// <summary>An offer counts down on the consultant's card and moves to the next consultant at zero.</summary>
[Trait("Category", "Slow")]
public sealed class OfferCountdownTests(ShortSlaApiFactory api) : IClassFixture<ShortSlaApiFactory>
{
    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task AnOfferShowsItsCountdownAndMovesOnAtZero(string device)
    {
        await using var browser = await ConsultantBrowser.LaunchAsync();
        var page = await browser.SignInAsync(api, device, ShortSlaApiFactory.First);
        var name = "Phạm Thu Hà " + Guid.NewGuid().ToString("N")[..4];
        // Only the page's consultant is on duty when the lead comes, so the offer is theirs.
        await ConsultantPageTests.CheckInAsync(api, ShortSlaApiFactory.Team, LeadsApiFactory.NewPhone(), name);
        var offer = page.Locator("#offers .lead", new() { HasText = name });
        await Assertions.Expect(offer).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(offer.Locator(".countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Còn 0:\d\d để nhận$"));
        await Assertions.Expect(offer.Locator(".status")).ToHaveTextAsync("Mời bạn nhận");
        (await page.TitleAsync()).ShouldStartWith("(");

        // A colleague comes on duty; at zero the offer is theirs.
        var colleague = new Consultant("sla-next-" + device, "Đỗ Văn Nam", ShortSlaApiFactory.Team, ConsultantRole.Consultant);
        await using var next = await api.ConnectAsync(LeadsApiFactory.TenantA, colleague);
        var moved = await next.WaitForAsync("LeadReassigned", l => l.Name == name && l.OfferedTo == colleague.Id);
        moved.Status.ShouldBe(LeadStatus.Offered);

        await Assertions.Expect(offer).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        var card = page.Locator("#leads .lead", new() { HasText = name });
        await Assertions.Expect(card.Locator(".status")).ToHaveTextAsync("Đang mời");
        await Assertions.Expect(card.Locator(".countdown")).ToBeEmptyAsync();
        await ConsultantPageTests.AssertFitsAsync(page, device);
    }
}

/// <summary>The Api with a short claim SLA and its own store, for offers that expire within a test.</summary>
public sealed class ShortSlaApiFactory : LeadsApiFactory
{
    public const string Team = "PWSLA";
    public const string First = "sla-first";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("O2O:Leads:ClaimSla", "00:00:15");
        // A demo entry of its own, after the base factory's: a consultant (not a manager) of this store.
        builder.UseSetting("O2O:Consultants:Demo:9:Id", First);
        builder.UseSetting("O2O:Consultants:Demo:9:Name", "Vũ Thị Hằng");
        builder.UseSetting("O2O:Consultants:Demo:9:Tenant", TenantA);
        builder.UseSetting("O2O:Consultants:Demo:9:Team", Team);
        builder.UseSetting("O2O:Consultants:Demo:9:Role", "Consultant");
    }
}

/// <summary>Debian's Chromium driven by Playwright, with the consultant page signed in.</summary>
internal sealed class ConsultantBrowser : IAsyncDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsultantBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<ConsultantBrowser> LaunchAsync()
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: install it with 'apt-get install -y chromium' (./test.sh does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        return new ConsultantBrowser(playwright, browser);
    }

    public async Task<IPage> SignInAsync(LeadsApiFactory api, string device, string consultantId = LeadsApiFactory.DemoConsultantId)
    {
        var page = await _browser.NewPageAsync(new()
        {
            BaseURL = api.Address.ToString(),
            ViewportSize = device == "phone" ? new() { Width = 390, Height = 844 } : new() { Width = 1280, Height = 900 },
        });
        await page.GotoAsync("/consultant");
        await page.Locator("#consultant").SelectOptionAsync(consultantId);
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("trực tuyến", new() { Timeout = 30_000 });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
