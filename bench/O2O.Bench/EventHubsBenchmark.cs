using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using O2O.Api.EventHubs;
using O2O.Grains.Events;
using O2O.Silo.EventHubs;

namespace O2O.Bench;

/// <summary>
/// Issue 4: the Event Hubs path on librdkafka's mock cluster (three brokers, in this process).
/// <c>eventhubs</c>: events/s from <c>POST /v1/batch</c> through the hub to grains applied (the 200 waits
/// for the hub's acknowledgement). <c>eventhubs-drain</c>: a backlog already on the hub, drained by a
/// silo that starts after it was written.
/// </summary>
public static class EventHubsBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var profiles = args.Int("profiles", 20_000);
        var perProfile = args.Int("events-per-profile", 20);
        var batchSize = args.Int("batch", 100);
        var senders = args.Int("senders", 16);
        // The mock cluster keeps about 5 MB per partition and silently drops older batches, so senders
        // wait while more than this many stored events are not yet applied (a real hub keeps days).
        var window = args.Int("window", 30_000);
        var total = profiles * perProfile;
        using var mock = MockCluster.Start();
        var hub = "bench-" + Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"O2O Event Hubs benchmark: HTTP -> mock cluster ({mock.BootstrapServers}) -> grains; {profiles:N0} profiles x {perProfile} events = {total:N0} events, batches of {batchSize}, {senders} senders");
        Console.WriteLine($"{Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}");

        using var applied = new IngestBenchmark.AppliedCounter();
        await using var api = new EmbeddedApi(Settings(mock.BootstrapServers, hub));
        using var writer = api.Writer();

        // Warm-up, as in the ingest benchmark: the figure is the steady state, not the JIT's first seconds.
        var warmProfiles = args.Int("warmup-profiles", 10_000);
        var sent = 0L;
        async Task PaceAsync()
        {
            while (Interlocked.Read(ref sent) - applied.Count > window)
            {
                await Task.Delay(2);
            }
            Interlocked.Add(ref sent, batchSize);
        }
        await IngestBenchmark.SendAsync(writer, IngestBenchmark.Batches(warmProfiles, 10, batchSize, "warm"), senders, null, PaceAsync);
        await applied.WaitForAsync(warmProfiles * 10, TimeSpan.FromMinutes(2));
        applied.Reset();
        Interlocked.Exchange(ref sent, 0);

        var batches = IngestBenchmark.Batches(profiles, perProfile, batchSize, "p");
        var latencies = new List<double>(batches.Count);
        using var cost = new ProcessCost();
        var clock = Stopwatch.StartNew();
        await IngestBenchmark.SendAsync(writer, batches, senders, latencies, PaceAsync);
        var storedAt = clock.Elapsed;
        await applied.WaitForAsync(total, TimeSpan.FromMinutes(10));
        var appliedAt = clock.Elapsed;
        var spent = cost.Summary(total);

        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine($"stored    {total:N0} events in {storedAt.TotalSeconds:F2} s = {total / storedAt.TotalSeconds:N0} events/s (200 = acknowledged by all in-sync replicas)");
        Console.WriteLine($"applied   {total:N0} events in {appliedAt.TotalSeconds:F2} s = {total / appliedAt.TotalSeconds:N0} events/s (end to end, HTTP to hub to grains)");
        Console.WriteLine($"batch latency p50 {latencies[latencies.Count / 2]:F1} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F1} ms, max {latencies[^1]:F1} ms");
        Console.WriteLine(spent);
        return 0;
    }

    public static async Task<int> DrainAsync(BenchArgs args)
    {
        var profiles = args.Int("profiles", 50_000);
        var perProfile = args.Int("events-per-profile", 20);
        // The mock cluster keeps about 5 MB per partition and drops older batches, so the backlog is kept
        // within what it holds: the writer stays at most this many events ahead of the grains.
        var window = args.Int("window", 40_000);
        var total = profiles * perProfile;
        var chunks = total / 1_000;
        using var mock = MockCluster.Start();
        var hub = "drain-" + Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"O2O Event Hubs drain benchmark: {total:N0} events ({profiles:N0} profiles x {perProfile}) through the mock cluster to one silo; backlog {window:N0} events ahead of the grains");
        Console.WriteLine($"{Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}");

        using var applied = new IngestBenchmark.AppliedCounter();
        using var feed = new KafkaEventFeed(Options.Create(new EventHubsOptions { ConnectionString = mock.BootstrapServers, Hub = hub, MaxInFlightEvents = 400_000 }),
            new O2O.Grains.Privacy.Pseudonyms(Options.Create(new O2O.Grains.Privacy.PrivacyOptions { PseudonymSecret = "bench-only-pseudonym-secret-0123456789" })),
            NullLogger<KafkaEventFeed>.Instance);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var written = 0;
        async Task WriteAsync(int upTo, bool paced)
        {
            for (var k = written / 1_000; k < upTo; k++)
            {
                while (paced && written - applied.Count > window)
                {
                    await Task.Delay(5);
                }
                // Event `step` of 1,000 people per chunk: every batch spans many people.
                var step = k / (profiles / 1_000);
                var block = k % (profiles / 1_000);
                var events = Enumerable.Range(block * 1_000, 1_000).Select(p => Event(p, step, start)).ToList();
                while (!(await feed.PublishAsync(events, CancellationToken.None)).Accepted)
                {
                    await Task.Delay(10);
                }
                written += events.Count;
            }
        }
        await WriteAsync(Math.Min(chunks, window / 1_000), paced: false);
        Console.WriteLine($"backlog   {written:N0} events on the hub before the silo starts");

        var clock = Stopwatch.StartNew();
        await using var api = new EmbeddedApi(Settings(mock.BootstrapServers, hub));
        api.StartServer(); // the silo and its consumer
        var startedAt = clock.Elapsed;
        var writer = WriteAsync(chunks, paced: true);
        await applied.WaitForAsync(1, TimeSpan.FromMinutes(2));
        var firstAt = clock.Elapsed;
        var consumer = api.Services.GetServices<IHostedService>().OfType<EventHubsConsumer>().Single();
        using (var progress = new Timer(_ => Console.WriteLine(
            $"  {clock.Elapsed.TotalSeconds:F0} s: {applied.Count:N0} applied, {written:N0} written, {consumer.Buffered:N0} fetched and not applied, lag by partition {string.Join(", ", Enumerable.Range(0, 4).Select(p => ConsumerLag.Of(hub, p)?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"))}"),
            null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)))
        {
            await writer;
            await applied.WaitForAsync(total, TimeSpan.FromMinutes(30));
        }
        var doneAt = clock.Elapsed;
        Console.WriteLine($"silo up in {startedAt.TotalSeconds:F2} s, first event applied at {firstAt.TotalSeconds:F2} s (group join)");
        Console.WriteLine($"drained   {total:N0} events in {(doneAt - firstAt).TotalSeconds:F2} s = {total / (doneAt - firstAt).TotalSeconds:N0} events/s; {doneAt.TotalSeconds:F2} s from silo start");
        return 0;
    }

    private static Dictionary<string, string> Settings(string bootstrap, string hub) => new()
    {
        ["ConnectionStrings:eventhubs"] = bootstrap,
        ["O2O:EventHubs:Hub"] = hub,
        ["O2O:EventHubs:DeadLetterHub"] = hub + "-dlq",
        ["O2O:EventHubs:ConsumerGroup"] = "bench",
        // librdkafka's mock cluster holds every empty fetch for the whole fetch wait, even when events arrive meanwhile.
        ["O2O:EventHubs:FetchWaitMax"] = "00:00:00.005",
        ["Logging:LogLevel:O2O.Silo.EventHubs"] = "Information",
    };

    private static CustomerEvent Event(int p, int k, DateTimeOffset start) => new()
    {
        MessageId = $"d-{p}-{k}",
        Tenant = "bench",
        Type = k == 5 ? EventType.Identify : k % 3 == 0 ? EventType.Track : EventType.Page,
        Name = k % 3 == 0 && k != 5 ? SegmentEvents.ProductViewed : null,
        Timestamp = start.AddSeconds(k),
        AnonymousId = $"d-{p}",
        Phone = k == 5 ? $"+849{p:D8}" : null,
        Path = $"/san-pham/sku-{k}",
        ProductId = k % 3 == 0 ? $"sku-{k}" : null,
        Touch = k == 0 ? new AdTouch { Source = "facebook", Medium = "paid_social", Campaign = $"bench_c{p % 50}", ClickIdType = "fbclid" } : null,
    };

    /// <summary>librdkafka's mock cluster; alive while this client lives.</summary>
    private sealed class MockCluster : IDisposable
    {
        private readonly IAdminClient _owner;

        private MockCluster(IAdminClient owner, string bootstrap)
        {
            _owner = owner;
            BootstrapServers = bootstrap;
        }

        public string BootstrapServers { get; }

        public static MockCluster Start()
        {
            var config = new AdminClientConfig();
            config.Set("test.mock.num.brokers", "3");
            var owner = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
            var metadata = owner.GetMetadata(TimeSpan.FromSeconds(30));
            return new MockCluster(owner, string.Join(',', metadata.Brokers.Select(b => $"{b.Host}:{b.Port}")));
        }

        public void Dispose() => _owner.Dispose();
    }
}
