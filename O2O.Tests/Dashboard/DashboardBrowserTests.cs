using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using O2O.Api.Dashboard;

namespace O2O.Tests.Dashboard;

/// <summary>
/// The built API started as its own process in Development (demo data and the demo marketer), driven
/// by Debian's Chromium through Playwright.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private Process? _api;
    private string _baseUrl = "";

    public async ValueTask InitializeAsync()
    {
        var dll = FindApi();
        var port = FreePort();
        _baseUrl = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = _baseUrl;
        _api = Process.Start(start)!;
        _api.OutputDataReceived += (_, _) => { };
        _api.ErrorDataReceived += (_, _) => { };
        _api.BeginOutputReadLine();
        _api.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 120; i++)
        {
            try
            {
                if ((await http.GetAsync(_baseUrl + "/dashboard/sign-in")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"The API at {dll} did not answer on {_baseUrl}.");
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

    [Fact]
    public async Task AMarketerSignsInSeesTheFunnelSwitchesModelAndRunsAWhatIf()
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            Assert.Fail("Chromium is missing: apt-get install -y chromium (./test.sh does this).");
        }
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync();

        await page.GotoAsync(_baseUrl + "/dashboard");
        page.Url.ShouldContain("/dashboard/sign-in");
        await page.FillAsync("#login", MarketerSignIn.DemoLogin);
        await page.FillAsync("#password", MarketerSignIn.DemoPassword);
        await page.ClickAsync("#sign-in");

        // The demo history plays into the feed at start: wait for the funnel to show a demo campaign.
        var funnel = page.Locator("#funnel-table");
        await Assertions.Expect(funnel).ToContainTextAsync("fb_tet_sale", new() { Timeout = 60_000 });
        // Wait for the interactive circuit before using controls.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await Task.Delay(1000);

        var attribution = page.Locator("#attribution-table");
        await Assertions.Expect(attribution).ToContainTextAsync("fb_tet_sale");
        await page.SelectOptionAsync("#model", "FirstTouch");
        await Assertions.Expect(page.Locator("#model")).ToHaveValueAsync("FirstTouch");

        await page.SelectOptionAsync("#channel", "facebook");
        await page.FillAsync("#monthly-spend", "500000000");
        await page.ClickAsync("#run-what-if");
        await Assertions.Expect(page.Locator("#what-if-answer")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        (await page.Locator("#expected-visits").TextContentAsync()).ShouldNotBeNullOrWhiteSpace();
        (await page.Locator("#what-if-answer").TextContentAsync())!.ShouldContain("500.000.000 ₫");
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
