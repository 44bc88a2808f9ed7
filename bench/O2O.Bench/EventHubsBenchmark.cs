using System.Diagnostics;
using Confluent.Kafka;
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
        var total = profiles * perProfile;
        using var mock = MockCluster.Start();
        var hub = "bench-" + Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"O2O Event Hubs benchmark: HTTP -> mock cluster ({mock.BootstrapServers}) -> grains; {profiles:N0} profiles x {perProfile} events = {total:N0} events, batches of {batchSize}, {senders} senders");
        Console.WriteLine($"{Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}");

        using var applied = new IngestBenchmark.AppliedCounter();
        await using var api = new EmbeddedApi(Settings(mock.BootstrapServers, hub));
        using var writer = api.Writer();

        await IngestBenchmark.SendAsync(writer, IngestBenchmark.Batches(2_000, 5, batchSize, "warm"), senders, null);
        await applied.WaitForAsync(2_000 * 5, TimeSpan.FromMinutes(2));
        applied.Reset();

        var batches = IngestBenchmark.Batches(profiles, perProfile, batchSize, "p");
        var latencies = new List<double>(batches.Count);
        var clock = Stopwatch.StartNew();
        await IngestBenchmark.SendAsync(writer, batches, senders, latencies);
        var storedAt = clock.Elapsed;
        await applied.WaitForAsync(total, TimeSpan.FromMinutes(10));
        var appliedAt = clock.Elapsed;

        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine($"stored    {total:N0} events in {storedAt.TotalSeconds:F2} s = {total / storedAt.TotalSeconds:N0} events/s (200 = acknowledged by all in-sync replicas)");
        Console.WriteLine($"applied   {total:N0} events in {appliedAt.TotalSeconds:F2} s = {total / appliedAt.TotalSeconds:N0} events/s (end to end, HTTP to hub to grains)");
        Console.WriteLine($"batch latency p50 {latencies[latencies.Count / 2]:F1} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F1} ms, max {latencies[^1]:F1} ms");
        return 0;
    }

    public static async Task<int> DrainAsync(BenchArgs args)
    {
        var profiles = args.Int("profiles", 50_000);
        var perProfile = args.Int("events-per-profile", 20);
        var total = profiles * perProfile;
        using var mock = MockCluster.Start();
        var hub = "drain-" + Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"O2O Event Hubs drain benchmark: {total:N0} events ({profiles:N0} profiles x {perProfile}) on the mock cluster, then one silo drains them");
        Console.WriteLine($"{Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}");

        var clock = Stopwatch.StartNew();
        using (var feed = new KafkaEventFeed(Options.Create(new EventHubsOptions { ConnectionString = mock.BootstrapServers, Hub = hub, MaxInFlightEvents = 400_000 }),
            NullLogger<KafkaEventFeed>.Instance))
        {
            var next = -1;
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                int k;
                while ((k = Interlocked.Increment(ref next)) < perProfile * (profiles / 1_000))
                {
                    // Event (k / blocks) of 1,000 people per publish: every batch spans many people.
                    var step = k / (profiles / 1_000);
                    var block = k % (profiles / 1_000);
                    var events = Enumerable.Range(block * 1_000, 1_000).Select(p => Event(p, step, start)).ToList();
                    while (!(await feed.PublishAsync(events, CancellationToken.None)).Accepted)
                    {
                        await Task.Delay(10);
                    }
                }
            }));
        }
        var producedAt = clock.Elapsed;
        Console.WriteLine($"backlog   {total:N0} events written in {producedAt.TotalSeconds:F2} s = {total / producedAt.TotalSeconds:N0} events/s");

        using var applied = new IngestBenchmark.AppliedCounter();
        clock.Restart();
        await using var api = new EmbeddedApi(Settings(mock.BootstrapServers, hub));
        api.Server.ToString(); // starts the host: the silo and its consumer
        var startedAt = clock.Elapsed;
        await applied.WaitForAsync(1, TimeSpan.FromMinutes(2));
        var firstAt = clock.Elapsed;
        await applied.WaitForAsync(total, TimeSpan.FromMinutes(30));
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
