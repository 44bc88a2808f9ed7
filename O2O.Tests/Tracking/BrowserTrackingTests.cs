using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using O2O.Tests.Infrastructure;
using O2O.Tests.Leads;

namespace O2O.Tests.Tracking;

/// <summary>
/// A shop's page on its own origin loads Segment's unmodified analytics.js (<c>@segment/analytics-next</c>'s
/// standalone bundle) or RudderStack's browser SDK (<c>@rudderstack/analytics-js</c>), both installed
/// from npm by test.sh, in Debian's Chromium and sends to the Api on another origin: the Api's CORS
/// and source settings decide what is kept. No request may leave loopback, so the libraries are
/// proven to work without Segment's or RudderStack's servers.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BrowserTrackingTests(LeadsApiFactory api) : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private WebApplication? _shop;
    private IPlaywright? _playwright;
    private int _shopPort;

    public async ValueTask InitializeAsync()
    {
        var bundle = FindPackageFile("@segment/analytics-next/dist/umd/standalone.js");
        var rudder = FindPackageFile("@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _shop = builder.Build();
        _shop.MapGet("/", () => Results.Content(ShopPage(LeadsApiFactory.WebsiteWriteKey, ApiRoot()), "text/html; charset=utf-8"));
        _shop.MapGet("/analytics.js", () => Results.File(bundle, "text/javascript"));
        _shop.MapGet("/rudder", () => Results.Content(RudderPage(LeadsApiFactory.WebsiteWriteKey, ApiRoot()), "text/html; charset=utf-8"));
        _shop.MapGet("/rudder-analytics.js", () => Results.File(rudder, "text/javascript"));
        await _shop.StartAsync();
        var address = _shop.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _shopPort = new Uri(address).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_shop is not null)
        {
            await _shop.DisposeAsync();
        }
        _playwright?.Dispose();
    }

    [Fact]
    public async Task AShopPageOnAnotherOriginTracksAVisitorThroughToPurchase()
    {
        await using var browser = await LaunchAsync();
        var (page, offLoopback) = await OpenAsync(browser, $"http://127.0.0.1:{_shopPort}/?utm_source=facebook&utm_medium=paid_social&utm_campaign=fb_noel&fbclid=pw",
            p => p.WaitForResponseAsync(r => r.Url.EndsWith("/v1/t", StringComparison.Ordinal) && r.Ok, new() { Timeout = 60_000 }));

        var anonymousId = await AnonymousIdAsync(page);
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={Uri.EscapeDataString(anonymousId)}",
            p => p.GetProperty("stage").GetString() == "Purchased" && p.GetProperty("totals").GetProperty("pageViews").GetInt32() >= 1
                && p.GetProperty("traits").TryGetProperty("name", out _));

        profile.GetProperty("identities").EnumerateArray().Select(i => i.GetString()).ShouldContain($"user:{UserIdOf(anonymousId)}");
        profile.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Trần Thị Ngọc Ánh");
        profile.GetProperty("totals").GetProperty("revenue").GetInt64().ShouldBe(1_250_000);
        profile.GetProperty("onlineTouches")[0].GetProperty("touch").GetProperty("campaign").GetString().ShouldBe("fb_noel");
        // A library that sends the key as a header (RudderStack's) is preflighted; the grant lets it through.
        (await page.EvaluateAsync<int>(PreflightedTrack, new { apiHost = ApiRoot(), key = LeadsApiFactory.WebsiteWriteKey })).ShouldBe(200);
        offLoopback.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheSamePageOnAnOriginNoSourceAllowsDeliversNothing()
    {
        await using var browser = await LaunchAsync();
        // localhost is another origin than 127.0.0.1, and the website source allows only the latter.
        // analytics.js cannot even load its settings from this origin (no CORS grant), so it never starts.
        var (page, _) = await OpenAsync(browser, $"http://localhost:{_shopPort}/",
            p => p.WaitForConsoleMessageAsync(new() { Predicate = m => m.Text.Contains("Failed to load Analytics.js", StringComparison.Ordinal), Timeout = 60_000 }));

        // A call sent the way the library sends them (text/plain, key in the body) needs no preflight,
        // so it reaches the Api: the source's own origin check refuses it and the page sees no answer.
        var anonymousId = "refused-" + Guid.NewGuid().ToString("N");
        (await page.EvaluateAsync<int>(SimpleTrack, new { apiHost = ApiRoot(), key = LeadsApiFactory.WebsiteWriteKey, anonymousId })).ShouldBe(-1);
        // A preflighted call (key in a header, as RudderStack sends it) gets no grant and is never sent.
        (await page.EvaluateAsync<int>(PreflightedTrack, new { apiHost = ApiRoot(), key = LeadsApiFactory.WebsiteWriteKey })).ShouldBe(-1);

        // A call the same source sends afterwards is applied; the refused one was not kept.
        var witness = "witness-" + Guid.NewGuid().ToString("N");
        (await api.Writer(LeadsApiFactory.WebsiteWriteKey).PostAsJsonAsync("/v1/track", new { anonymousId = witness, @event = "Product Viewed" })).EnsureSuccessStatusCode();
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={witness}");
        (await api.Reader().GetAsync($"/api/profiles?anonymousId={anonymousId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>A call as analytics.js sends it: text/plain, the key in the body. -1 when CORS hides the answer.</summary>
    private const string SimpleTrack = """
        async ({ apiHost, key, anonymousId }) => {
          try {
            const response = await fetch(apiHost + '/v1/t', {
              method: 'POST',
              headers: { 'Content-Type': 'text/plain' },
              body: JSON.stringify({ writeKey: key, anonymousId, event: 'Product Viewed' }),
            });
            return response.status;
          } catch {
            return -1;
          }
        }
        """;

    [Fact]
    public async Task RudderStacksBrowserSdkOnAnotherOriginTracksAVisitorThroughToPurchase()
    {
        await using var browser = await LaunchAsync();
        var (page, offLoopback) = await OpenAsync(browser, $"http://127.0.0.1:{_shopPort}/rudder?utm_source=zalo&utm_medium=oa&utm_campaign=zalo_tet",
            p => p.WaitForResponseAsync(r => r.Url.Contains("/v1/track", StringComparison.Ordinal) && r.Ok, new() { Timeout = 60_000 }));

        var anonymousId = (await (await page.WaitForFunctionAsync("() => window.rudderanalytics && typeof window.rudderanalytics.getAnonymousId === 'function' && window.rudderanalytics.getAnonymousId()",
            null, new() { Timeout = 60_000 })).JsonValueAsync<string>()).ShouldNotBeNull();
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={Uri.EscapeDataString(anonymousId)}",
            p => p.GetProperty("stage").GetString() == "Purchased" && p.GetProperty("traits").TryGetProperty("name", out _));

        profile.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Đặng Thu Hà");
        profile.GetProperty("totals").GetProperty("revenue").GetInt64().ShouldBe(890_000);
        profile.GetProperty("onlineTouches")[0].GetProperty("touch").GetProperty("campaign").GetString().ShouldBe("zalo_tet");
        offLoopback.ShouldBeEmpty();
    }

    private string ApiRoot() => $"http://{api.Address.Host}:{api.Address.Port}";

    private static string UserIdOf(string anonymousId) => "kh-" + anonymousId[..8];

    /// <summary>A fetch with the write key in a header and a JSON content type: the browser preflights it. -1 when CORS stops it.</summary>
    private const string PreflightedTrack = """
        async ({ apiHost, key }) => {
          try {
            const response = await fetch(apiHost + '/v1/track', {
              method: 'POST',
              headers: { 'Authorization': 'Basic ' + btoa(key + ':'), 'Content-Type': 'application/json', 'AnonymousId': btoa('rs-probe') },
              body: JSON.stringify({ anonymousId: 'rs-probe-' + Date.now(), event: 'Product Viewed' }),
            });
            return response.status;
          } catch {
            return -1;
          }
        }
        """;

    private async Task<IBrowser> LaunchAsync()
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: install it with 'apt-get install -y chromium' (./test.sh does).");
        _playwright ??= await Playwright.CreateAsync();
        return await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Nothing may leave loopback; requests are not intercepted, so Chromium's own CORS preflights are what the Api answers.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"],
        });
    }

    /// <summary>
    /// Opens the shop page and waits <paramref name="until"/> (which starts listening before the page
    /// loads, so nothing is missed); every request for a host off loopback is recorded (and cannot resolve).
    /// </summary>
    private static async Task<(IPage Page, ConcurrentBag<string> OffLoopback)> OpenAsync(IBrowser browser, string url, Func<IPage, Task> until)
    {
        var context = await browser.NewContextAsync();
        var offLoopback = new ConcurrentBag<string>();
        context.Request += (_, request) =>
        {
            if (new Uri(request.Url).Host is not ("127.0.0.1" or "localhost"))
            {
                offLoopback.Add(request.Url);
            }
        };
        var page = await context.NewPageAsync();
        var log = new ConcurrentQueue<string>();
        page.Console += (_, message) => log.Enqueue($"console {message.Type}: {message.Text}");
        page.PageError += (_, error) => log.Enqueue($"page error: {error}");
        page.Request += (_, request) => log.Enqueue($"{request.Method} {request.Url}");
        page.Response += (_, response) => log.Enqueue($"{response.Status} {response.Url}");
        var waiting = until(page);
        await page.GotoAsync(url);
        try
        {
            await waiting;
            return (page, offLoopback);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The page did not get where expected; it saw:\n{string.Join('\n', log)}", ex);
        }
    }

    private static async Task<string> AnonymousIdAsync(IPage page)
    {
        var id = await page.WaitForFunctionAsync("() => window.analytics && typeof window.analytics.user === 'function' && window.analytics.user().anonymousId()",
            null, new() { Timeout = 60_000 });
        return (await id.JsonValueAsync<string>()).ShouldNotBeNull();
    }

    /// <summary>
    /// The README's "Track your website" snippet as a shop pastes it: queue calls before the library
    /// loads, settings read from O2O (<c>_cdn</c>) so nothing is fetched from Segment.
    /// </summary>
    private static string ShopPage(string writeKey, string o2o) => $$"""
        <!doctype html>
        <html lang="vi">
        <head>
          <meta charset="utf-8">
          <title>Áo dài Ngọc Ánh</title>
          <script>
            (function () {
              var analytics = window.analytics = window.analytics || [];
              if (analytics.initialize || analytics.invoked) return;
              analytics.invoked = true;
              ['page', 'track', 'identify', 'group', 'alias', 'screen', 'ready', 'reset'].forEach(function (method) {
                analytics[method] = function () {
                  var call = Array.prototype.slice.call(arguments);
                  call.unshift(method);
                  analytics.push(call);
                  return analytics;
                };
              });
              analytics._writeKey = '{{writeKey}}';
              analytics._cdn = '{{o2o}}';
              var script = document.createElement('script');
              script.async = true;
              script.src = '/analytics.js';
              document.head.appendChild(script);
            })();
            analytics.page();
            analytics.track('Product Viewed', { product_id: 'ao-dai-lua', price: 1250000 });
            analytics.ready(function () {
              var anonymousId = analytics.user().anonymousId();
              analytics.identify('kh-' + anonymousId.slice(0, 8), { name: 'Trần Thị Ngọc Ánh', phone: '09' + String(Date.now()).slice(-8) });
              analytics.track('Order Completed', { order_id: 'WEB-' + anonymousId, total: 1250000, currency: 'VND',
                products: [{ product_id: 'ao-dai-lua', name: 'Áo dài lụa', quantity: 1, price: 1250000 }] });
            });
          </script>
        </head>
        <body><h1>Áo dài Ngọc Ánh</h1></body>
        </html>
        """;

    /// <summary>
    /// RudderStack's browser SDK as a shop loads it, with its source configuration read from O2O
    /// (<c>configUrl</c>) and O2O as the data plane, so nothing is fetched from RudderStack.
    /// </summary>
    private static string RudderPage(string writeKey, string o2o) => $$"""
        <!doctype html>
        <html lang="vi">
        <head>
          <meta charset="utf-8">
          <title>Mỹ phẩm Thu Hà</title>
          <script src="/rudder-analytics.js"></script>
          <script>
            var sdk = new rudderanalytics.RudderAnalytics();
            sdk.load('{{writeKey}}', '{{o2o}}', { configUrl: '{{o2o}}' });
            sdk.page();
            sdk.track('Product Viewed', { product_id: 'kem-chong-nang', price: 890000 });
            sdk.ready(function () {
              var anonymousId = sdk.getAnonymousId();
              sdk.identify('rs-' + anonymousId.slice(0, 8), { name: 'Đặng Thu Hà', phone: '03' + String(Date.now()).slice(-8) });
              sdk.track('Order Completed', { order_id: 'RS-' + anonymousId, total: 890000, currency: 'VND',
                products: [{ product_id: 'kem-chong-nang', name: 'Kem chống nắng', quantity: 1, price: 890000 }] });
            });
          </script>
        </head>
        <body><h1>Mỹ phẩm Thu Hà</h1></body>
        </html>
        """;

    private static string FindPackageFile(string package)
    {
        var relative = "node_modules/" + package;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "O2O.Tests", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"O2O.Tests/{relative} is missing: run ./test.sh, or 'npm ci' in O2O.Tests, to install the tracking libraries from npm.");
    }
}
