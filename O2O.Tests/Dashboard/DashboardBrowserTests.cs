using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using O2O.Api.Dashboard;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Dashboard;

/// <summary>
/// The built API started once as its own process in Development (demo data and the demo marketer),
/// driven by Debian's Chromium through Playwright on a desktop and a 390 px phone.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DashboardBrowserTests(DashboardApiProcess api) : IClassFixture<DashboardApiProcess>
{
    [Fact]
    public async Task AMarketerSignsInSeesTheFunnelSwitchesModelAndRunsAWhatIf()
    {
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.NewPageAsync("desktop");

        await page.GotoAsync(api.BaseUrl + "/dashboard");
        page.Url.ShouldContain("/dashboard/sign-in");
        // A wrong password keeps the user name and says what went wrong.
        await page.FillAsync("#login", MarketerSignIn.DemoLogin);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("Sai tên đăng nhập hoặc mật khẩu");
        await Assertions.Expect(page.Locator("#login")).ToHaveValueAsync(MarketerSignIn.DemoLogin);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "the dashboard sign-in");
        (await page.Locator("#login").EvaluateAsync<string>("e => getComputedStyle(e).borderTopStyle")).ShouldNotBe("none", "the field is visible");
        await page.FillAsync("#password", MarketerSignIn.DemoPassword);
        await page.ClickAsync("#sign-in");

        await WaitForDashboardAsync(page);
        var attribution = page.Locator("#attribution-table");
        await Assertions.Expect(attribution).ToContainTextAsync("Sale Tết");
        await page.SelectOptionAsync("#model", "FirstTouch");
        await Assertions.Expect(page.Locator("#model-explanation")).ToContainTextAsync("chạm đầu tiên");

        await page.SelectOptionAsync("#channel", "facebook");
        await page.FillAsync("#monthly-spend", "500000000");
        await page.Locator("#monthly-spend").BlurAsync();
        await Assertions.Expect(page.Locator("#monthly-spend")).ToHaveValueAsync("500.000.000");
        await page.ClickAsync("#run-what-if");
        await Assertions.Expect(page.Locator("#what-if-answer")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        (await page.Locator("#what-if-answer").TextContentAsync())!.ShouldContain("500.000.000 ₫");
        // The demo history has 60 days of spend: the fit on complete days answers, it does not refuse.
        await Assertions.Expect(page.Locator("#incremental-visits")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#cost-per-extra-visit")).ToContainTextAsync("₫");
        await Assertions.Expect(page.Locator("#what-if-curve")).ToContainTextAsync("Chi tiêu mỗi ngày");
        await Assertions.Expect(page.Locator("#what-if-curve")).ToContainTextAsync("Đề xuất");

        await Accessibility.AssertNoSeriousViolationsAsync(page, "the dashboard");

        await page.ClickAsync("#sign-out");
        // The sign-in form is what the marketer sees. Waiting for the page's load event instead once hung
        // for 30 s after a form post redirected here (Playwright logged network idle, never load).
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard/sign-in$"));
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await page.GotoAsync(api.BaseUrl + "/dashboard", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        page.Url.ShouldContain("/dashboard/sign-in");
    }

    [Fact]
    public async Task TheStoresExportOpensInExcelWithTheNamesAnAdministratorGaveTheStores()
    {
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(api.BaseUrl) };
        (await http.PostAsJsonAsync("/signin/demo", new { id = "demo-admin" })).EnsureSuccessStatusCode();
        var renamed = await http.PutAsJsonAsync("/api/admin/stores/HN01",
            new { name = "O2O Tràng Tiền", address = "1 Tràng Tiền", region = "HN", openingHours = "09:00-21:00", timeZone = "Asia/Ho_Chi_Minh", teams = new[] { "HN01" } });
        renamed.StatusCode.ShouldBe(HttpStatusCode.OK, await renamed.Content.ReadAsStringAsync());

        (await http.PostAsJsonAsync("/signin/demo", new { id = "demo-marketer" })).EnsureSuccessStatusCode();
        using var export = await http.GetAsync("/dashboard/export/stores.csv");
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        export.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var bytes = await export.Content.ReadAsByteArrayAsync();
        bytes.AsSpan(0, 3).ToArray().ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF }, "a BOM, so Excel reads the Vietnamese as UTF-8");
        var csv = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        csv.ShouldStartWith("Hạng,Cửa hàng,Mã");
        csv.ShouldContain("O2O Tràng Tiền,HN01", Case.Sensitive, "the administrator's name wins over the configured one");
        csv.ShouldContain("Quận 1 · TP.HCM,HCM01", Case.Sensitive, "stores no administrator named keep the configured name");
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task AMarketerNarrowsTheDateRangeAndAStoreAndEveryPanelAgrees(string device)
    {
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.NewPageAsync(device);
        await page.GotoAsync(api.BaseUrl + "/dashboard");
        await page.FillAsync("#login", MarketerSignIn.DemoLogin);
        await page.FillAsync("#password", MarketerSignIn.DemoPassword);
        await page.ClickAsync("#sign-in");
        await WaitForDashboardAsync(page);
        await AssertPanelsAgreeAsync(page);

        var to = await page.InputValueAsync("#to");
        var from = DateOnly.ParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(-13).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var asOf = await page.TextContentAsync("#as-of");
        await page.FillAsync("#from", from);
        await page.Locator("#from").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator("#period")).ToContainTextAsync("(14 ngày)");
        await page.SelectOptionAsync("#store", "HCM01");
        await Assertions.Expect(page.Locator("#period")).ToContainTextAsync("Quận 1");
        await Assertions.Expect(page.Locator("#funnel h2")).ToContainTextAsync("Phễu của cửa hàng Quận 1");
        await Assertions.Expect(page.Locator("#stores-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#kpi-visits .kpi-change")).ToContainTextAsync("so với kỳ trước");
        await AssertPanelsAgreeAsync(page);

        await page.SelectOptionAsync("#channel-filter", "facebook");
        await Assertions.Expect(page.Locator("#period")).ToContainTextAsync("kênh Facebook");
        await AssertPanelsAgreeAsync(page);
        (await page.TextContentAsync("#as-of")).ShouldNotBeNullOrWhiteSpace();
        asOf.ShouldNotBeNull();

        if (device == "phone")
        {
            (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
        }
    }

    [Fact]
    public async Task AMarketerBuildsAChurnRiskJourneyOnTheNurturePageAndSwitchesItOn()
    {
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.NewPageAsync("desktop");
        await page.GotoAsync(api.BaseUrl + "/dashboard");
        await page.FillAsync("#login", MarketerSignIn.DemoLogin);
        await page.FillAsync("#password", MarketerSignIn.DemoPassword);
        await page.ClickAsync("#sign-in");
        await WaitForDashboardAsync(page);

        await page.GotoAsync(api.BaseUrl + "/dashboard/nurture");
        await Assertions.Expect(page.Locator("#segments-table")).ToContainTextAsync("Có nguy cơ rời bỏ");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // The page's template is the journey: churn risk, Zalo then SMS then the master channel, give up after three.
        var template = page.GetByRole(AriaRole.Button, new() { Name = "Hành trình mới" });
        await Eventually.TrueAsync(async () =>
        {
            await template.ClickAsync();
            await Task.Delay(500);
            return (await page.InputValueAsync("#journey-json")).Contains("churn-risk", StringComparison.Ordinal);
        }, "the template fills the editor once the interactive circuit is up");
        var json = await page.InputValueAsync("#journey-json");
        json.ShouldContain("\"giveUpAfter\": 3");
        json.ShouldContain("\"zalo-1\"");
        json.ShouldContain("\"sms-2\"");

        await page.ClickAsync("#save-journey");
        await Assertions.Expect(page.Locator("#journey-saved")).ToContainTextAsync("keo-khach-quay-lai v");
        var row = page.Locator("#journeys-table tbody tr", new() { HasText = "keo-khach-quay-lai" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        var active = row.Locator("input[type=checkbox]");
        if (!await active.IsCheckedAsync())
        {
            await active.CheckAsync();
        }
        await Eventually.TrueAsync(async () =>
        {
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(api.BaseUrl) };
            (await http.PostAsJsonAsync("/signin/demo", new { id = "demo-marketer" })).EnsureSuccessStatusCode();
            var report = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/journeys/keo-khach-quay-lai");
            return report.GetProperty("definition").GetProperty("active").GetBoolean();
        }, "the journey is stored switched on");

        // After a reload the page shows it on, with its funnel and cost columns.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#journeys-table tbody tr", new() { HasText = "keo-khach-quay-lai" }).Locator("input[type=checkbox]")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#journeys-table thead")).ToContainTextAsync("Chi phí / lượt ghé");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "the nurture page");
    }

    /// <summary>The headline visits, the store table's total and the attribution table's total are one number.</summary>
    private static async Task AssertPanelsAgreeAsync(IPage page)
    {
        // The three panels are rendered from one load; poll so a render in flight can finish.
        await Eventually.TrueAsync(async () =>
        {
            var kpi = await page.TextContentAsync("#kpi-visits .kpi-value");
            var stores = await page.TextContentAsync("#stores-total");
            var attributed = await page.TextContentAsync("#attribution-total");
            return kpi == stores && stores == attributed && kpi is { Length: > 0 } && kpi != "0";
        }, "the visits headline, the store table total and the attribution total agree");
    }

    private static async Task WaitForDashboardAsync(IPage page)
    {
        // The demo history plays into the feed at start: wait for the funnel to show a demo campaign, by name.
        await Assertions.Expect(page.Locator("#funnel-table")).ToContainTextAsync("Sale Tết", new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // Controls answer once the interactive circuit is up: the refresh button is wired then.
        await Eventually.TrueAsync(async () =>
        {
            var before = await page.TextContentAsync("#as-of");
            await page.ClickAsync("#refresh");
            await Task.Delay(1200);
            return await page.TextContentAsync("#as-of") != before;
        }, "the dashboard's interactive circuit answers");
    }
}

/// <summary>The API process the dashboard tests share: started once, stopped by its process id.</summary>
public sealed class DashboardApiProcess : IAsyncLifetime
{
    private Process? _api;

    public string BaseUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var dll = FindApi();
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        _api = Process.Start(start)!;
        _api.OutputDataReceived += (_, _) => { };
        _api.ErrorDataReceived += (_, _) => { };
        _api.BeginOutputReadLine();
        _api.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 240; i++)
        {
            try
            {
                if ((await http.GetAsync(BaseUrl + "/dashboard/sign-in")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"The API at {dll} did not answer on {BaseUrl}.");
    }

    public ValueTask DisposeAsync()
    {
        if (_api is { HasExited: false })
        {
            _api.Kill(entireProcessTree: true);
            _api.WaitForExit(10_000);
        }
        _api?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string FindApi()
    {
        var config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "O2O.Api", "bin", config, "net10.0", "O2O.Api.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("Build O2O.Api first: O2O.Api/bin/<config>/net10.0/O2O.Api.dll was not found.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Debian's Chromium through Playwright.</summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<DashboardBrowser> LaunchAsync()
    {
        File.Exists("/usr/bin/chromium").ShouldBeTrue("Chromium is missing: apt-get install -y chromium (./test.sh does this).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        return new DashboardBrowser(playwright, browser);
    }

    public Task<IPage> NewPageAsync(string device) => _browser.NewPageAsync(new()
    {
        ViewportSize = device == "phone" ? new() { Width = 390, Height = 844 } : new() { Width = 1280, Height = 900 },
    });

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
