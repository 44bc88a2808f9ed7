using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Confluent.Kafka;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Silo.EventHubs;
using O2O.Silo.Hosting;

namespace O2O.Bench.Storage;

/// <summary>
/// The durable path as production runs it, with realistic interleaving: events go onto the event hub
/// (librdkafka's mock cluster) in rounds, each batch holding one event each of 1,000 different people,
/// and a silo on Azure Table storage (Azurite) drains them through its consumer group. A pass counts
/// as durable when its consumer has stopped, i.e. its last checkpoint has written every profile and
/// committed every offset. Each pass starts a fresh silo, so returning people are read back from storage.
/// Usage: <c>dotnet run -c Release --project bench/O2O.Bench.Storage -- eventhubs [--profiles N]
/// [--events-per-profile N] [--checkpoint-seconds N] [--tables CS]</c>.
/// </summary>
internal static class DurableEventHubsBenchmark
{
    private const int PeoplePerBatch = 1_000;
    private static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MockFetchWait = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(string[] args, string tables, Process? azurite)
    {
        var profiles = Program.Arg(args, "--profiles", 10_000);
        var perProfile = Program.Arg(args, "--events-per-profile", 20);
        var checkpoint = TimeSpan.FromSeconds(Program.Arg(args, "--checkpoint-seconds", 300));
        var warmup = Program.Arg(args, "--warmup", 2_000);
        // The mock cluster keeps about 5 MB per partition and drops older data silently: the producer
        // stays at most this many events ahead of the grains (a real hub keeps days).
        var window = Program.Arg(args, "--window", 20_000);
        var every = TimeSpan.FromSeconds(Program.Arg(args, "--progress-seconds", 15));

        var admin = new AdminClientConfig();
        admin.Set("test.mock.num.brokers", "3");
        using var mock = new AdminClientBuilder(admin).SetLogHandler((_, _) => { }).Build();
        var bootstrap = string.Join(',', mock.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Select(b => $"{b.Host}:{b.Port}"));
        var hub = "durable-" + Guid.NewGuid().ToString("N")[..8];
        var tenant = "bench" + Guid.NewGuid().ToString("N")[..6];

        using var counters = new Counters();
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).SetLogHandler((_, _) => { }).Build();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"O2O durable path: mock event hub -> silo consumer -> Azure Table storage (Azurite); {profiles:N0} people x {perProfile} events per pass, each batch one event each of {PeoplePerBatch:N0} people; checkpoint every {checkpoint.TotalSeconds:F0} s; {Environment.ProcessorCount} cores"));
        // Both paths once before measuring, new people and returning ones (read back from storage): a
        // silo that has run for a while has its code compiled, and otherwise the just-in-time compiler
        // took up to a fifth of the CPU samples of the first measured pass.
        await PassAsync("warm-up", "w", warmup, perProfile, report: false);
        await PassAsync("warm-up again", "w", warmup, perProfile, report: false);
        foreach (var pass in new[] { "new", "returning" })
        {
            await PassAsync(pass, "p", profiles, perProfile, report: true);
        }
        return 0;

        async Task PassAsync(string pass, string person, int people, int events, bool report)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Configuration.AddInMemoryCollection(Program.SiloSettings(tables, new Dictionary<string, string?>
            {
                ["ConnectionStrings:eventhubs"] = bootstrap,
                ["O2O:EventHubs:Hub"] = hub,
                ["O2O:EventHubs:DeadLetterHub"] = hub + "-dlq",
                ["O2O:EventHubs:ConsumerGroup"] = "durable-bench",
                ["O2O:EventHubs:CheckpointInterval"] = checkpoint.ToString("c", CultureInfo.InvariantCulture),
                // The consumer samples its lag once per commit interval, and the end of a pass is seen from
                // the lag: at the default 1 s that took 1.2-2.2 s of every pass. Offsets are committed
                // only after a checkpoint either way, so the interval changes nothing else that is measured.
                ["O2O:EventHubs:CommitInterval"] = CommitInterval.ToString("c", CultureInfo.InvariantCulture),
                // librdkafka's mock cluster holds every fetch that finds nothing for the whole fetch wait (500 ms by
                // default), even when events arrive meanwhile; a broker answers at once. With the producer kept a
                // window ahead, each round then stalled about a second (applying a returning pass took 13-17 s; now 6-8).
                ["O2O:EventHubs:FetchWaitMax"] = MockFetchWait.ToString("c", CultureInfo.InvariantCulture),
            }));
            builder.AddO2OSilo();
            var app = builder.Build();
            await app.StartAsync();
            var consumer = app.Services.GetServices<IHostedService>().OfType<EventHubsConsumer>().Single();
            if (report)
            {
                // The warm-up created the hub (the mock cluster creates topics on first use), so the group can assign it now.
                await consumer.Assigned.WaitAsync(TimeSpan.FromMinutes(1));
            }

            counters.Reset();
            var total = (long)people * events;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var azuriteCpu = CpuOf(azurite);
            var clock = Stopwatch.StartNew();
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            var produced = 0L;
            using var progress = new Timer(_ => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {clock.Elapsed.TotalSeconds:F0} s: {counters.Applied:N0} of {total:N0} applied, {Interlocked.Read(ref produced):N0} produced, {consumer.Buffered:N0} fetched and waiting")),
                null, every, every);
            for (var k = 0; k < events; k++)
            {
                for (var first = 0; first < people; first += PeoplePerBatch)
                {
                    while (Interlocked.Read(ref produced) - counters.Applied > window)
                    {
                        await Task.Delay(2);
                    }
                    for (var p = first; p < Math.Min(people, first + PeoplePerBatch); p++)
                    {
                        var e = Event(tenant, pass, person, p, k, start);
                        producer.Produce(hub, new Message<string, byte[]> { Key = e.AnonymousId!, Value = EventJson.Serialize(e) });
                    }
                    Interlocked.Add(ref produced, Math.Min(PeoplePerBatch, people - first));
                }
            }
            producer.Flush(TimeSpan.FromMinutes(1));
            // Applied up to the end of every partition (the counter alone would also count a batch
            // retried after a storage timeout, or replayed).
            var partitions = mock.GetMetadata(hub, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
            var caughtUpSince = TimeSpan.MaxValue;
            while (true)
            {
                if (counters.Applied >= total && Enumerable.Range(0, partitions).All(p => ConsumerLag.Of(hub, p) == 0))
                {
                    caughtUpSince = caughtUpSince == TimeSpan.MaxValue ? clock.Elapsed : caughtUpSince;
                    // The lag is sampled every commit interval: caught up means two samples in a row.
                    if (clock.Elapsed - caughtUpSince > CommitInterval * 1.2)
                    {
                        break;
                    }
                }
                else
                {
                    caughtUpSince = TimeSpan.MaxValue;
                }
                await Task.Delay(5);
            }
            var appliedAt = caughtUpSince;
            // Stopping the consumer takes its last checkpoint: every touched profile written, every offset committed.
            await consumer.StopAsync(CancellationToken.None);
            var durableAt = clock.Elapsed;
            var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var azuriteSpent = CpuOf(azurite) - azuriteCpu;
            await app.StopAsync();
            app.Dispose();
            if (!report)
            {
                Console.WriteLine($"{pass}: hub {hub}: {mock.GetMetadata(hub, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count} partitions");
                return;
            }
            var writes = counters.Writes();
            var reads = counters.Reads();
            var requests = counters.WriteRequests();
            var sum = writes.Values.Sum();
            var requestSum = requests.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pass,-9} people: {total:N0} events applied in {appliedAt.TotalSeconds:F1} s, durable (checkpointed, committed) at {durableAt.TotalSeconds:F1} s = {total / durableAt.TotalSeconds:F0} events/s durably; {sum} storage writes = {(double)sum / total:F3} writes/event, in {requestSum} requests = {(double)requestSum / total:F4}/event; CPU {spent.TotalMicroseconds / total:F0} µs/event (Azurite's {azuriteSpent.TotalMicroseconds / total:F0})"));
            foreach (var storage in writes.Keys.Union(reads.Keys).Order(StringComparer.Ordinal))
            {
                var count = writes.GetValueOrDefault(storage);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {storage,-12} {count,8} writes ({(double)count / total:F3}/event) in {requests.GetValueOrDefault(storage),6} requests, {reads.GetValueOrDefault(storage),8} reads"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT o2o {pass} events_per_s={total / durableAt.TotalSeconds:F0} writes_per_event={(double)sum / total:F5} write_requests_per_event={(double)requestSum / total:F5} cpu_us_per_event={spent.TotalMicroseconds / total:F0} azurite_cpu_us_per_event={azuriteSpent.TotalMicroseconds / total:F0}"));
        }
    }

    /// <summary>CPU the Azurite this benchmark started has used so far (zero for an account given with <c>--tables</c>).</summary>
    private static TimeSpan CpuOf(Process? process)
    {
        if (process is null)
        {
            return TimeSpan.Zero;
        }
        process.Refresh();
        return process.HasExited ? TimeSpan.Zero : process.TotalProcessorTime;
    }

    /// <summary>Event <paramref name="k"/> of person <paramref name="p"/>'s journey: an ad click, pages and products, a phone number at the sixth.</summary>
    private static CustomerEvent Event(string tenant, string pass, string person, int p, int k, DateTimeOffset start) => new()
    {
        MessageId = string.Create(CultureInfo.InvariantCulture, $"{pass}-{person}-{p}-{k}"),
        Tenant = tenant,
        Type = k == 5 ? EventType.Identify : k % 3 == 0 ? EventType.Track : EventType.Page,
        Name = k % 3 == 0 && k != 5 ? SegmentEvents.ProductViewed : null,
        Timestamp = start.AddSeconds(k),
        AnonymousId = string.Create(CultureInfo.InvariantCulture, $"{person}-anon-{p}"),
        // The warm-up's people have numbers of their own: sharing them, 2,000 measured people were merged
        // into warm-up profiles, and each pass read 2,000 profiles more than it has people.
        Phone = k == 5 ? string.Create(CultureInfo.InvariantCulture, $"+84{(person == "w" ? 3 : 9)}{p % 100_000_000:D8}") : null,
        Path = string.Create(CultureInfo.InvariantCulture, $"/san-pham/sku-{k}"),
        ProductId = k % 3 == 0 ? string.Create(CultureInfo.InvariantCulture, $"sku-{k}") : null,
        Touch = k == 0 ? new AdTouch { Source = "facebook", Medium = "paid_social", Campaign = string.Create(CultureInfo.InvariantCulture, $"bench_c{p % 50}"), ClickIdType = "fbclid" } : null,
    };

    /// <summary>Events applied and Table storage writes and reads by table, as the process reports them.</summary>
    private sealed class Counters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _writes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _reads = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _requests = new(StringComparer.Ordinal);
        private long _applied;

        public Counters()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if ((instrument.Meter.Name == StorageTelemetry.MeterName && instrument.Name is StorageTelemetry.WritesName or StorageTelemetry.ReadsName or StorageTelemetry.WriteRequestsName)
                    || (instrument.Meter.Name == O2OTelemetry.Name && instrument.Name == "o2o.events.applied"))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "o2o.events.applied")
                {
                    Interlocked.Add(ref _applied, value);
                    return;
                }
                var storage = tags.ToArray().FirstOrDefault(t => t.Key == "storage").Value as string ?? "?";
                var counts = instrument.Name switch
                {
                    StorageTelemetry.ReadsName => _reads,
                    StorageTelemetry.WritesName => _writes,
                    _ => _requests,
                };
                lock (_writes)
                {
                    counts[storage] = counts.GetValueOrDefault(storage) + value;
                }
            });
            _listener.Start();
        }

        public long Applied => Interlocked.Read(ref _applied);

        public Dictionary<string, long> Writes()
        {
            lock (_writes)
            {
                return new(_writes, StringComparer.Ordinal);
            }
        }

        public Dictionary<string, long> Reads()
        {
            lock (_writes)
            {
                return new(_reads, StringComparer.Ordinal);
            }
        }

        /// <summary>Requests that carried the writes: one per entity written alone, one per transaction.</summary>
        public Dictionary<string, long> WriteRequests()
        {
            lock (_writes)
            {
                return new(_requests, StringComparer.Ordinal);
            }
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _applied, 0);
            lock (_writes)
            {
                _writes.Clear();
                _reads.Clear();
                _requests.Clear();
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
