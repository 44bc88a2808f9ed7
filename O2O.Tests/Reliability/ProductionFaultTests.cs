using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Grains.Stores;
using O2O.Silo.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Reliability;

/// <summary>
/// The production topology under faults: three O2O.Silo processes and the O2O.Api process (an
/// Orleans client publishing to Event Hubs), the Kafka mock cluster standing in for Event Hubs,
/// Azurite with its data on disk, and redis-server with an append-only file. A steady stream of
/// people with known journeys flows in while one silo is SIGKILLed and restarted, the Api is
/// SIGKILLed and restarted, Azurite is stopped for 60 s and started again, and redis-server is
/// restarted. At the end every event the Api answered 200 for has been applied exactly once.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ProductionFaultTests(KafkaMockCluster kafka)
{
    private const string WriteKey = "fault-write-key-0123456789";
    private const string Tenant = "default";
    private const int People = 240;
    private const int Garbage = 5;
    private static readonly string[] Campaigns = ["fault_a", "fault_b"];
    private static readonly string[] Stores = ["FT1", "FT2", "FT3"];
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(9);

    [Fact]
    public async Task EveryAcceptedEventIsAppliedExactlyOnceThroughSiloApiStorageAndRedisFaults()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var hub = KafkaMockCluster.NewHub("fault");
        var deadLetters = hub + "-dlq";
        var clusterId = "fault-" + run;
        var redisPort = ServerProcess.FreeTcpPort();
        var tablePort = ServerProcess.FreeTcpPort();
        var redisDir = Directory.CreateTempSubdirectory("fault-redis").FullName;
        var azuriteDir = Directory.CreateTempSubdirectory("fault-azurite").FullName;
        var redis = $"127.0.0.1:{redisPort}";
        var tables = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
        var redisServer = await StartRedisAsync(redisPort, redisDir);
        var azurite = await StartAzuriteAsync(tablePort, azuriteDir);
        var silos = new List<SiloProcess>();
        ServerProcess? api = null;
        IHost? client = null;
        try
        {
            var eventHubs = new Dictionary<string, string>
            {
                ["ConnectionStrings__eventhubs"] = kafka.BootstrapServers,
                ["O2O__EventHubs__Hub"] = hub,
                ["O2O__EventHubs__DeadLetterHub"] = deadLetters,
                ["O2O__EventHubs__ConsumerGroup"] = "silos-" + run,
                ["O2O__EventHubs__SessionTimeout"] = "00:00:06",
                ["O2O__Ingestion__StuckAfter"] = "00:00:05",
                // Quick to declare a killed silo dead, yet patient with live ones on a crowded CI machine.
                ["Orleans__Membership__ProbeTimeout"] = "00:00:03",
                ["Orleans__Membership__NumMissedProbesLimit"] = "3",
            };
            for (var i = 0; i < 3; i++)
            {
                silos.Add(await SiloProcess.StartAsync(clusterId, redis, tables, eventHubs));
            }
            var apiPort = ServerProcess.FreeTcpPort();
            var apiEnvironment = new Dictionary<string, string>(eventHubs)
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{apiPort}",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Orleans__ClusterId"] = clusterId,
                ["Orleans__ServiceId"] = "o2o",
                ["Orleans__Clustering__ProviderType"] = "Redis",
                ["Orleans__Clustering__ServiceKey"] = "redis",
                ["ConnectionStrings__redis"] = redis,
                ["O2O__Security__WriteKeys__0__Key"] = WriteKey,
                ["O2O__Security__WriteKeys__0__Tenant"] = Tenant,
            };
            var apiUri = new Uri($"http://127.0.0.1:{apiPort}");
            api = await StartApiAsync(apiEnvironment, apiUri);

            using var http = new HttpClient { BaseAddress = apiUri, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
            var at = DateTimeOffset.UtcNow.AddMinutes(-10);
            var journeys = Enumerable.Range(0, People).Select(p => new Journey(run, p, at)).ToList();
            var traceId = ActivityTraceIdOf(run);

            // The stream: one request after another, each retried with the same message id until answered 200.
            using var stop = new CancellationTokenSource();
            var sent = new ConcurrentBag<string>();
            var sender = Task.Run(() => SendAllAsync(http, journeys, traceId, sent, stop.Token));
            var garbage = Task.Run(() => PublishGarbageAsync(hub, stop.Token));

            await Task.Delay(TimeSpan.FromSeconds(8));
            silos[1].Kill();
            Note("silo 1 SIGKILLed");
            await Task.Delay(TimeSpan.FromSeconds(4));
            silos[1] = await SiloProcess.StartAsync(clusterId, redis, tables, eventHubs);
            Note("silo 1 restarted and healthy");

            api.Kill();
            await Task.Delay(TimeSpan.FromSeconds(2));
            api = await StartApiAsync(apiEnvironment, apiUri);

            // SIGINT is Azurite's clean shutdown: it saves its database (every acknowledged write) and
            // exits. It has no SIGTERM handler, so SIGTERM kills it mid-way and loses up to its last
            // few seconds of acknowledged writes, which no Azure Table outage does.
            azurite.Stop("INT");
            Note("Azurite stopped");
            // During the outage the Api says it is degraded, and so does a silo's feed: lanes hold their partitions.
            var (apiDegraded, feedDegraded) = (false, false);
            var outageEnds = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                while (DateTime.UtcNow < outageEnds)
                {
                    try
                    {
                        apiDegraded |= await probe.GetStringAsync(new Uri(apiUri, "/health")) == "Degraded";
                        foreach (var silo in silos)
                        {
                            using var details = await probe.GetAsync($"http://127.0.0.1:{silo.HttpPort}/health/details");
                            var json = System.Text.Json.JsonDocument.Parse(await details.Content.ReadAsStringAsync());
                            feedDegraded |= json.RootElement.GetProperty("checks").GetProperty("ingestion").GetProperty("status").GetString() == "Degraded";
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        // A probe slower than the outage's timeouts: ask again.
                    }
                    await Task.Delay(TimeSpan.FromSeconds(2));
                }
            }
            azurite = await StartAzuriteAsync(tablePort, azuriteDir);
            Note("Azurite started again");
            apiDegraded.ShouldBeTrue("the Api's /health reports Degraded while the silos cannot reach storage");
            feedDegraded.ShouldBeTrue("a silo's ingestion check reports Degraded while its lanes retry");

            redisServer.Stop();
            await Task.Delay(TimeSpan.FromSeconds(2));
            redisServer = await StartRedisAsync(redisPort, redisDir);

            await sender.WaitAsync(Settle);
            await garbage.WaitAsync(Settle);
            sent.Count.ShouldBe(journeys.Sum(j => j.Requests.Count), "every request was answered 200 in the end");

            client = await SiloProcess.StartClientAsync(clusterId, redis);
            var grains = client.Services.GetRequiredService<IClusterClient>();
            await WaitUntilAsync(async () => await AllAppliedAsync(grains, journeys), "every person's four events applied", silos);
            // Profiles apply in memory at once; the aggregates get their changes when each partition's
            // checkpoint has stored the profiles (README: "The event hub is the log"). Wait for the last
            // checkpoint to reach the last step, then check every count exactly.
            var shortOf = "";
            await WaitUntilAsync(async () => await LastStepDeliveredAsync(grains, journeys, ReportCalendar.DayOf(at), s => shortOf = s),
                () => $"every aggregate's last change delivered by a checkpoint (still short: {shortOf})", silos);

            // Profiles: each person's events once.
            foreach (var j in journeys)
            {
                var profile = await ProfileAsync(grains, j.UserId);
                profile.ShouldNotBeNull();
                profile.Totals.Events.ShouldBe(4, j.UserId);
                profile.Totals.StoreVisits.ShouldBe(1, j.UserId);
                profile.Totals.Orders.ShouldBe(1, j.UserId);
                profile.Totals.Revenue.ShouldBe(j.Total, j.UserId);
            }
            // Campaign and store funnels: every person once at every step.
            foreach (var (campaign, index) in Campaigns.Select((c, i) => (c, i)))
            {
                var people = journeys.Count(j => j.Campaign == campaign);
                var report = await grains.GetGrain<ICampaignGrain>(TenantKey.Compose(Tenant, campaign)).GetReportAsync();
                report.Total.Steps.Select(s => (s.Stage, s.Reached)).ShouldBe(FunnelStages.All.Select(s => (s, (long)people)), campaign);
            }
            foreach (var store in Stores)
            {
                var mine = journeys.Where(j => j.Store == store).ToList();
                var report = await grains.GetGrain<IStoreGrain>(TenantKey.Compose(Tenant, store)).GetReportAsync();
                report.CheckIns.ShouldBe(mine.Count, store);
                report.Orders.ShouldBe(mine.Count, store);
                report.Revenue.ShouldBe(mine.Sum(j => j.Total), store);
                report.Funnel[FunnelStage.StoreVisited].ShouldBe(mine.Count, store);
                report.Funnel[FunnelStage.Purchased].ShouldBe(mine.Count, store);
            }
            // Attribution: each visit and purchase credited once (in millionths), on the day it happened.
            var day = await grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(Tenant, ReportCalendar.DayOf(at)))
                .GetAsync(AttributionModel.LastTouch, TouchDimension.Campaign);
            foreach (var campaign in Campaigns)
            {
                var people = journeys.Count(j => j.Campaign == campaign);
                var row = day.Credit.Single(c => c.Key == campaign);
                row.VisitCredit.ShouldBe(people * 1_000_000L, campaign);
                row.PurchaseCredit.ShouldBe(people * 1_000_000L, campaign);
                row.Revenue.ShouldBe(journeys.Where(j => j.Campaign == campaign).Sum(j => j.Total), campaign);
            }
            foreach (var store in Stores)
            {
                var conversions = day.Stores.Single(s => s.StoreId == store);
                conversions.Visits.ShouldBe(journeys.Count(j => j.Store == store), store);
                conversions.Purchases.ShouldBe(journeys.Count(j => j.Store == store), store);
            }

            // What each silo reports about its feed (rebalances, lane restarts, lag): shown, not asserted.
            foreach (var silo in silos)
            {
                using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}") };
                TestContext.Current.TestOutputHelper?.WriteLine(await probe.GetStringAsync("/health/details"));
            }

            // Only the deliberately invalid records are dead letters.
            // (A record dead-lettered just before a silo died, before its offset was committed, is
            // dead-lettered again by the next owner: dead-lettering is at least once, like delivery.)
            var onHub = kafka.Count(deadLetters);
            var dead = kafka.ReadAll(deadLetters, read => read.Count >= onHub, TimeSpan.FromSeconds(60));
            dead.Count.ShouldBe((int)onHub, "every record on the dead-letter hub was read");
            dead.Select(d => d.Message.Key).Distinct().Order().ShouldBe(Enumerable.Range(0, Garbage).Select(i => $"garbage-{i}").Order());
            dead.ShouldAllBe(d => Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(EventHubsConsumer.DeadLetterReasonHeader)).StartsWith("unparseable", StringComparison.Ordinal));

            // The Api, its own process with no exporter, continued the caller's trace into the event it published.
            // Events are keyed by the pseudonym of the person's routing key, never the key in clear.
            var firstKey = TestSecrets.Pseudonyms.Of(Tenant, journeys[0].UserId);
            var first = kafka.ReadAll(hub, read => read.Any(m => m.Message.Key == firstKey), TimeSpan.FromSeconds(30))
                .First(m => m.Message.Key == firstKey);
            Encoding.ASCII.GetString(first.Message.Headers.GetLastBytes(EventJson.TraceParentHeader)).ShouldContain(traceId);
        }
        finally
        {
            if (client is not null)
            {
                await client.StopAsync();
                client.Dispose();
            }
            api?.Dispose();
            foreach (var silo in silos)
            {
                silo.Dispose();
            }
            azurite.Dispose();
            redisServer.Dispose();
        }
    }

    /// <summary>One person: an ad click, a phone number, a check-in, a purchase at the till.</summary>
    private sealed class Journey
    {
        public Journey(string run, int p, DateTimeOffset at)
        {
            UserId = $"u-{run}-{p}";
            Campaign = Campaigns[p % Campaigns.Length];
            Store = Stores[p % Stores.Length];
            Total = 100_000L * (1 + p % 5);
            var phone = "09" + (10_000_000 + p).ToString(CultureInfo.InvariantCulture);
            string Time(int seconds) => at.AddSeconds(seconds).ToString("O", CultureInfo.InvariantCulture);
            Requests =
            [
                ("/v1/page", Json(new { userId = UserId, messageId = UserId + "-page", name = "Home", timestamp = Time(0),
                    context = new { page = new { url = $"https://shop.vn/?utm_source=facebook&utm_medium=paid_social&utm_campaign={Campaign}" } } })),
                ("/v1/identify", Json(new { userId = UserId, messageId = UserId + "-identify", timestamp = Time(1), traits = new { phone, name = $"Khách {p}" } })),
                ("/v1/checkins", Json(new { userId = UserId, messageId = UserId + "-checkin", storeId = Store, method = "qr", timestamp = Time(2) })),
                ("/v1/orders", Json(new { userId = UserId, messageId = UserId + "-order", orderId = UserId + "-o", source = "pos", storeId = Store, total = Total,
                    currency = "VND", timestamp = Time(3), items = new[] { new { sku = "ao-dai", name = "Áo dài", quantity = 1, price = Total } } })),
            ];
        }

        private static string Json(object body) => System.Text.Json.JsonSerializer.Serialize(body);

        public string UserId { get; }
        public string Campaign { get; }
        public string Store { get; }
        public long Total { get; }
        public List<(string Path, string Body)> Requests { get; }
    }

    private static async Task SendAllAsync(HttpClient http, List<Journey> journeys, string traceId, ConcurrentBag<string> sent, CancellationToken ct)
    {
        // People interleaved, each person's steps in order.
        var pending = journeys.ToDictionary(j => j.UserId, _ => 0);
        var first = true;
        while (pending.Values.Any(step => step < 4))
        {
            foreach (var j in journeys)
            {
                var step = pending[j.UserId];
                if (step >= 4)
                {
                    continue;
                }
                var (path, body) = j.Requests[step];
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                if (first)
                {
                    request.Headers.Add("traceparent", $"00-{traceId}-{traceId[..16]}-01");
                }
                try
                {
                    using var response = await http.SendAsync(request, ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        sent.Add($"{j.UserId}/{step}");
                        pending[j.UserId] = step + 1;
                        first = false;
                    }
                    else
                    {
                        // 503 while the feed is full or the Api starts; a 400 would be a test bug.
                        response.StatusCode.ShouldNotBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(ct));
                        await Task.Delay(200, ct);
                    }
                }
                catch (HttpRequestException)
                {
                    // The Api is down: the same request again, same message id.
                    await Task.Delay(200, ct);
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    await Task.Delay(200, ct);
                }
                // About eight requests a second: steady, far below capacity, and lasting through every fault.
                await Task.Delay(110, ct);
            }
        }
    }

    private async Task PublishGarbageAsync(string hub, CancellationToken ct)
    {
        using var raw = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        for (var i = 0; i < Garbage; i++)
        {
            await raw.ProduceAsync(hub, new Message<string, byte[]> { Key = $"garbage-{i}", Value = Encoding.UTF8.GetBytes("{\"v\":1,\"event\":") }, ct);
            await Task.Delay(TimeSpan.FromSeconds(7), ct);
        }
    }

    private static async Task<bool> AllAppliedAsync(IGrainFactory grains, List<Journey> journeys)
    {
        foreach (var j in journeys)
        {
            if ((await ProfileAsync(grains, j.UserId))?.Totals.Events != 4)
            {
                return false;
            }
        }
        return true;
    }

    private static Task<ProfileView?> ProfileAsync(IGrainFactory grains, string userId) =>
        grains.ProfileOfAsync(Tenant, new Identifier(IdentifierKind.UserId, userId), TestSecrets.Pseudonyms);

    /// <summary>When each fault happened, beside the silos' partition stalls in the output (UTC, as they print them).</summary>
    private static void Note(string what) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {what}");

    private static string ActivityTraceIdOf(string run) => (run + run + run + run)[..32];

    /// <summary>
    /// Every campaign has as many purchases as it has people, every store as many orders, the day's
    /// attribution as many visit and purchase credits (more fails the exact checks after).
    /// </summary>
    private static async Task<bool> LastStepDeliveredAsync(IGrainFactory grains, IReadOnlyList<Journey> journeys, DateOnly day, Action<string> progress)
    {
        var shortOf = new List<string>();
        var credits = await grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(Tenant, day)).GetAsync(AttributionModel.LastTouch, TouchDimension.Campaign);
        foreach (var campaign in Campaigns)
        {
            var people = journeys.Count(j => j.Campaign == campaign) * 1_000_000L;
            var row = credits.Credit.SingleOrDefault(c => c.Key == campaign);
            if (row is null || row.VisitCredit < people || row.PurchaseCredit < people)
            {
                shortOf.Add($"attribution {campaign}: visits {row?.VisitCredit / 1e6}, purchases {row?.PurchaseCredit / 1e6} of {people / 1_000_000}");
            }
        }
        foreach (var campaign in Campaigns)
        {
            var report = await grains.GetGrain<ICampaignGrain>(TenantKey.Compose(Tenant, campaign)).GetReportAsync();
            var reached = report.Total.Steps.Single(s => s.Stage == FunnelStage.Purchased).Reached;
            if (reached < journeys.Count(j => j.Campaign == campaign))
            {
                shortOf.Add($"campaign {campaign}: purchased {reached} of {journeys.Count(j => j.Campaign == campaign)}");
            }
        }
        foreach (var store in Stores)
        {
            var report = await grains.GetGrain<IStoreGrain>(TenantKey.Compose(Tenant, store)).GetReportAsync();
            if (report.Orders < journeys.Count(j => j.Store == store))
            {
                shortOf.Add($"store {store}: orders {report.Orders} of {journeys.Count(j => j.Store == store)}");
            }
        }
        if (shortOf.Count > 0)
        {
            // Tells a credit computed without its touch (the store's visits all there) from a delivery lost on the way (visits short too).
            var visits = await grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(Tenant, day)).GetAsync(AttributionModel.LastTouch, TouchDimension.Store);
            shortOf.Add($"attribution store visits {visits.Stores.Sum(st => st.Visits)} of {journeys.Count}, organic {visits.Stores.Sum(st => st.OrganicVisits)}");
        }
        progress(string.Join("; ", shortOf));
        return shortOf.Count == 0;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> done, string what, List<SiloProcess> silos) =>
        WaitUntilAsync(done, () => what, silos);

    private static async Task WaitUntilAsync(Func<Task<bool>> done, Func<string> what, List<SiloProcess> silos)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await done())
                {
                    return;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // The cluster may still be settling after the faults.
            }
            await Task.Delay(1_000);
        }
        // The whole output of every silo goes to files; the message carries each one's tail.
        var logs = Directory.CreateTempSubdirectory("o2o-fault-").FullName;
        for (var i = 0; i < silos.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(logs, $"silo-{i}.log"), silos[i].Output);
        }
        throw new TimeoutException($"{what()} did not happen within {Settle}. Silo logs in {logs}; their tails:\n{string.Join("\n---\n", silos.Select(s => s.Output[^Math.Min(4_000, s.Output.Length)..]))}");
    }

    private static async Task<ServerProcess> StartApiAsync(Dictionary<string, string> environment, Uri address)
    {
        var dll = SiloProcess.ServiceDll("O2O.Api");
        var process = ServerProcess.Start("dotnet", [dll], "the .NET SDK runs the Api.", environment, Path.GetDirectoryName(dll));
        using var http = new HttpClient { BaseAddress = address };
        await process.WaitUntilAsync(async () => (await http.GetAsync("/alive")).IsSuccessStatusCode, "O2O.Api", TimeSpan.FromSeconds(120));
        return process;
    }

    /// <summary>redis-server keeping an append-only file, so a restart keeps cluster membership and reminders.</summary>
    private static async Task<ServerProcess> StartRedisAsync(int port, string directory)
    {
        var server = ServerProcess.Start("redis-server",
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            "install it with `apt-get install redis-server` (or run ./test.sh, which does).");
        await server.WaitUntilAsync(() => ServerProcess.AcceptsAsync(port), "redis-server");
        return server;
    }

    /// <summary>Azurite's table service with its data on disk (--location), so stopping it loses nothing.</summary>
    private static async Task<ServerProcess> StartAzuriteAsync(int port, string directory)
    {
        var server = ServerProcess.Start("azurite-table",
            ["--tableHost", "127.0.0.1", "--tablePort", port.ToString(CultureInfo.InvariantCulture), "--location", directory, "--skipApiVersionCheck", "--silent", "--disableTelemetry"],
            "install Azurite with `npm install -g azurite` (or run ./test.sh, which does).",
            workingDirectory: directory);
        await server.WaitUntilAsync(() => ServerProcess.AcceptsAsync(port), "Azurite table service");
        return server;
    }
}
