using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.AppHost;

/// <summary>
/// The real O2O.AppHost, started by Aspire's orchestrator as `dotnet run` would start it: redis-server,
/// Azurite, the Kafka mock cluster, three silos and the Api, every one healthy; an event and a
/// check-in through the Api land in a profile that survives a silo restart (state from Table storage).
/// </summary>
[Trait("Category", "Slow")]
public sealed class AppHostTests
{
    private const string WriteKey = "o2o-dev-write-key";
    private const string ReadToken = "o2o-dev-read-token";
    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task TheAppModelRunsHealthyAndAProfileSurvivesRestartingASilo()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var ct = cancellation.Token;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.O2O_AppHost>(
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT=true"], (options, _) => options.DisableDashboard = true, ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        foreach (var resource in new[] { "redis", "tables", "silo", "api" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct).WaitAsync(Startup, ct);
        }
        var silos = await ReplicasAsync(app, "silo", 3, ct);

        var redis = await app.GetConnectionStringAsync("redis", ct);
        using var orleansClient = await SiloProcess.StartClientAsync("o2o", redis!);
        var management = orleansClient.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var before = await UntilAsync(async () => await management.GetHosts(onlyActive: true) is { Count: 3 } hosts ? hosts.Keys.ToHashSet() : null, "three active silos", 120);

        using var writer = app.CreateHttpClient("api");
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
        using var reader = app.CreateHttpClient("api");
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken);
        // A read made while a killed silo's grains move can wait out a grain call; it is asked again, not waited on for HttpClient's 100 s.
        reader.Timeout = TimeSpan.FromSeconds(45);

        var phone = "0936" + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        (await writer.PostAsync("/v1/track", Json($$$"""
            {"anonymousId":"apphost-{{{phone}}}","event":"Product Viewed","properties":{"product_id":"tui-xach-da"},
             "context":{"traits":{"phone":"{{{phone}}}","name":"Đặng Thu Thảo"},
                        "page":{"url":"https://shop.vn/san-pham/tui?utm_source=zalo&utm_campaign=apphost"} } }
            """), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await writer.PostAsync("/v1/checkins", Json($$$"""{"storeId":"HN01","method":"qr","phone":"{{{phone}}}"}"""), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Behind the demo history the Api plays in at start, on a shared machine: a generous bound, not a speed.
        var profile = await GetJsonAsync(reader, $"/api/profiles?phone={phone}", p => p.GetProperty("totals").GetProperty("events").GetInt32() == 2);
        profile.GetProperty("stage").GetString().ShouldBe("StoreVisited");
        var profileId = profile.GetProperty("profileId").GetString();

        // Demo traffic flows through the same path: its campaigns show up.
        var campaigns = await GetJsonAsync(reader, "/api/campaigns", c => c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 1);
        campaigns.EnumerateArray().ShouldContain(c => c.ToString().Contains("fb_tet_sale", StringComparison.Ordinal) || c.ToString().Contains("gg_search_brand", StringComparison.Ordinal) || c.ToString().Contains("zalo_oa_member", StringComparison.Ordinal) || c.ToString().Contains("yt_new_arrivals", StringComparison.Ordinal) || c.ToString().Contains("tt_livestream", StringComparison.Ordinal));

        await RestartAsync(app, silos[0], ct);
        await UntilAsync(async () => await management.GetHosts(onlyActive: true) is { Count: 3 } hosts && !hosts.Keys.ToHashSet().SetEquals(before) ? hosts : null,
            "a restarted silo joins again, so three silos are active and one of them is new", 180);
        // Nothing else survives in memory either: every grain activation is collected, so the profile is read back from Table storage.
        await management.ForceActivationCollection(TimeSpan.Zero);

        // Changes the killed silo held in memory come back when their partitions replay from the
        // committed offset (README, "The event hub is the log"): wait for that, then check the whole profile.
        var again = await GetJsonAsync(reader, $"/api/profiles/{profileId}", p => p.GetProperty("totals").GetProperty("events").GetInt32() == 2);
        again.GetProperty("totals").GetProperty("events").GetInt32().ShouldBe(2);
        again.GetProperty("stage").GetString().ShouldBe("StoreVisited");
        again.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Đặng Thu Thảo");

        await app.StopAsync(ct);
    }

    /// <summary>
    /// Kills the replica's process tree, as a crash would, and starts it again once the orchestrator has
    /// seen it exit. (The orchestrator's own stop gives up when a silo's graceful shutdown outlasts
    /// its timeout on a busy machine.)
    /// </summary>
    private static async Task RestartAsync(DistributedApplication app, string replica, CancellationToken ct)
    {
        app.ResourceNotifications.TryGetCurrentState(replica, out var running).ShouldBeTrue();
        var pid = running!.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value;
        using (var process = System.Diagnostics.Process.GetProcessById(Convert.ToInt32(pid, CultureInfo.InvariantCulture)))
        {
            process.Kill(entireProcessTree: true);
        }
        await UntilAsync(() => Task.FromResult(app.ResourceNotifications.TryGetCurrentState(replica, out var e)
            && e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state) ? state : null), $"{replica} exits", 120);
        await UntilAsync(async () => (await app.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand, ct)).Success ? "started" : null,
            $"{replica} starts again", 120);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string what, int seconds) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException or InvalidOperationException or TaskCanceledException)
            {
                last = ex;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"Not within {seconds} s: {what}", last);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url, Func<JsonElement, bool> until)
    {
        var last = "";
        var found = await UntilAsync<string>(async () =>
        {
            using var response = await client.GetAsync(url);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.IsSuccessStatusCode && until(JsonDocument.Parse(last[4..]).RootElement) ? last[4..] : null;
        }, $"GET {url}", 240);
        return JsonDocument.Parse(found).RootElement;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The resource ids of the replicas of <paramref name="name"/>, once all are running.</summary>
    private static async Task<string[]> ReplicasAsync(DistributedApplication app, string name, int count, CancellationToken ct)
    {
        var running = new HashSet<string>(StringComparer.Ordinal);
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watch.CancelAfter(Startup);
        await foreach (var e in app.ResourceNotifications.WatchAsync(watch.Token))
        {
            if (e.Resource.Name == name && e.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                running.Add(e.ResourceId);
                if (running.Count == count)
                {
                    break;
                }
            }
        }
        running.Count.ShouldBe(count, $"{name} should run {count} replicas");
        return [.. running];
    }
}
