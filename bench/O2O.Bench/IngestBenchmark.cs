using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using O2O.Grains.Diagnostics;

namespace O2O.Bench;

/// <summary>
/// Issue 3: drives <c>/v1/batch</c> over loopback against the embedded Api and reports events/s
/// applied to grains (not just accepted), p50/p99 batch latency and managed memory per active profile.
/// Each batch interleaves many people (event k of 100 different profiles), the hard case for batching.
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var profiles = args.Int("profiles", 50_000);
        var perProfile = args.Int("events-per-profile", 20);
        var batchSize = args.Int("batch", 100);
        var senders = args.Int("senders", 8);
        var wire = new Wire(args.String("content-type", "application/json"), args.String("encoding", "identity"));
        var total = profiles * perProfile;
        Console.WriteLine($"O2O ingest benchmark: {profiles:N0} profiles x {perProfile} events = {total:N0} events, batches of {batchSize}, {senders} concurrent senders");
        Console.WriteLine($"bodies: Content-Type {wire.ContentType}, Content-Encoding {wire.Encoding}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}, pid {Environment.ProcessId}");

        using var applied = new AppliedCounter();
        // The product's feed capacity unless --feed-capacity says otherwise.
        await using var api = new EmbeddedApi(args.String("feed-capacity", "") is { Length: > 0 } capacity ? new() { ["O2O:Feed:Capacity"] = capacity } : []);
        using var writer = api.Writer();

        // Warm-up: grain types, connection pool, and enough calls for tiered JIT to reach its final code,
        // so the figure is the server's steady state rather than its first seconds. After 100,000 warm-up
        // events (10,000 people) the JIT still compiled 12,570 methods during the measured stretch (`perf`:
        // 11% of its CPU in the JIT), after 300,000 6,221, after 600,000 about 2,000: the cost line says how many.
        var warmProfiles = args.Int("warmup-profiles", 60_000);
        await SendAsync(writer, wire.Encode(Batches(warmProfiles, 10, batchSize, "warm")), senders, null, wire: wire);
        await applied.WaitForAsync(warmProfiles * 10, TimeSpan.FromMinutes(2));
        applied.Reset();

        // Compressed before the clock starts: the sender pays for compression, the figure is the server's.
        // Encoded before the heap's baseline and kept alive to the end, so they count in neither figure.
        // --returning: the measured events go to the warm-up's people, already in memory (their events 10
        // onwards), so the stretch creates no profile: what a silo pays for people it already holds.
        var returning = args.String("returning", "false") == "true";
        if (returning && profiles > warmProfiles)
        {
            throw new ArgumentException($"--returning needs --profiles at most --warmup-profiles ({warmProfiles:N0})");
        }
        var batches = wire.Encode(returning ? Batches(profiles, perProfile, batchSize, "warm", firstEvent: 10) : Batches(profiles, perProfile, batchSize, "p"));
        Console.WriteLine($"{batches.Sum(b => (long)b.Length) / 1024.0 / 1024.0:N1} MB on the wire");
        // The warm-up's identity grains leave after 1 s idle; the baseline is taken once they have.
        await IdentityGrainsGoneAsync(api);
        var baseline = HeapAfterFullCollection();
        var latencies = new List<double>(batches.Count);
        using var cost = new ProcessCost();
        var clock = Stopwatch.StartNew();
        await SendAsync(writer, batches, senders, latencies, wire: wire);
        var acceptedAt = clock.Elapsed;
        await applied.WaitForAsync(total, TimeSpan.FromMinutes(10));
        var appliedAt = clock.Elapsed;
        var spent = cost.Summary(total);

        var heap = HeapAfterFullCollection();
        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine($"accepted  {total:N0} events in {acceptedAt.TotalSeconds:F2} s = {total / acceptedAt.TotalSeconds:N0} events/s");
        Console.WriteLine($"applied   {total:N0} events in {appliedAt.TotalSeconds:F2} s = {total / appliedAt.TotalSeconds:N0} events/s (end to end, HTTP to grains)");
        Console.WriteLine($"batch latency p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies[^1]:F1} ms");
        Console.WriteLine(spent);
        Console.WriteLine($"managed heap +{(heap - baseline) / 1024.0 / 1024.0:N1} MB right after, {(heap - baseline) / (double)profiles / 1024.0:N2} KB per profile; activations {await ActivationsAsync(api)}");
        // What stays per active profile once the identity grains asked during the burst have left (1 s idle).
        var waited = await IdentityGrainsGoneAsync(api);
        var kept = HeapAfterFullCollection();
        Console.WriteLine($"managed heap +{(kept - baseline) / 1024.0 / 1024.0:N1} MB for {profiles:N0} active profiles = {(kept - baseline) / (double)profiles / 1024.0:N2} KB per profile holding {perProfile} events ({waited.TotalSeconds:F0} s later); activations {await ActivationsAsync(api)}");
        if (args.Int("hold-seconds", 0) is > 0 and var hold)
        {
            // Keeps the profiles alive for a heap snapshot (dotnet-gcdump collect -p <pid>).
            Console.WriteLine($"holding the heap for {hold} s");
            await Task.Delay(TimeSpan.FromSeconds(hold));
            var settled = HeapAfterFullCollection();
            Console.WriteLine($"managed heap after {hold} s idle +{(settled - baseline) / 1024.0 / 1024.0:N1} MB = {(settled - baseline) / (double)profiles / 1024.0:N2} KB per profile");
            Console.WriteLine($"activations {await ActivationsAsync(api)}");
        }
        GC.KeepAlive(batches);
        return 0;
    }

    /// <summary>Waits (at most a minute) until no identity grain is active; returns how long that took.</summary>
    private static async Task<TimeSpan> IdentityGrainsGoneAsync(EmbeddedApi api)
    {
        var grains = api.Services.GetRequiredService<Orleans.IGrainFactory>();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(1)
            && (await grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetSimpleGrainStatistics()).Any(s => ShortName(s.GrainType) == "IdentityGrain" && s.ActivationCount > 0))
        {
            await Task.Delay(500);
        }
        return waited.Elapsed;
    }

    /// <summary>Posts the batches with that many concurrent senders, waiting out 503s; <paramref name="beforeEach"/> (if any) paces them.</summary>
    internal static async Task SendAsync(HttpClient client, List<byte[]> batches, int senders, List<double>? latencies, Func<Task>? beforeEach = null, Wire? wire = null)
    {
        wire ??= Wire.Json;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                if (beforeEach is not null)
                {
                    await beforeEach();
                }
                while (true)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var content = new ByteArrayContent(batches[i]);
                    content.Headers.ContentType = new(wire.ContentType);
                    if (wire.Encoding != "identity")
                    {
                        content.Headers.ContentEncoding.Add(wire.Encoding);
                    }
                    using var response = await client.PostAsync("/v1/batch", content);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        await Task.Delay(50); // backpressure: the feed is full, as a real client would wait
                        continue;
                    }
                    response.EnsureSuccessStatusCode();
                    if (latencies is not null)
                    {
                        lock (latencies)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        }
                    }
                    break;
                }
            }
        }));
    }

    /// <summary>Event k of every profile, then event k+1, ..., cut into batches: each batch spans many people.</summary>
    internal static List<byte[]> Batches(int profiles, int perProfile, int batchSize, string prefix, int firstEvent = 0)
    {
        var batches = new List<byte[]>(profiles * perProfile / batchSize + 1);
        var sb = new StringBuilder();
        var inBatch = 0;
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        for (var k = firstEvent; k < firstEvent + perProfile; k++)
        {
            for (var p = 0; p < profiles; p++)
            {
                sb.Append(inBatch == 0 ? "{\"batch\":[" : ",");
                sb.Append(Event(prefix, p, k, at.AddMilliseconds(k * 1000 + p % 1000)));
                if (++inBatch == batchSize)
                {
                    sb.Append("]}");
                    batches.Add(Encoding.UTF8.GetBytes(sb.ToString()));
                    sb.Clear();
                    inBatch = 0;
                }
            }
        }
        if (inBatch > 0)
        {
            sb.Append("]}");
            batches.Add(Encoding.UTF8.GetBytes(sb.ToString()));
        }
        return batches;
    }

    /// <summary>A plausible journey: an ad landing, browsing, products, pricing, a form with a phone.</summary>
    private static string Event(string prefix, int p, int k, DateTimeOffset at)
    {
        var head = $"\"anonymousId\":\"{prefix}-{p}\",\"messageId\":\"{prefix}-{p}-{k}\",\"timestamp\":\"{at:O}\"";
        // Each population has phones of its own. (Until session 11 both numbered theirs 09…{p}: every measured
        // person's identify then named a warm-up person's phone, and merged into them instead of claiming it.)
        var phone = prefix == "warm" ? $"090{p:D7}" : $"091{p:D7}";
        return (k % 20) switch
        {
            0 => $"{{\"type\":\"page\",{head},\"name\":\"Home\",\"context\":{{\"page\":{{\"url\":\"https://shop.vn/?utm_source=facebook&utm_medium=paid_social&utm_campaign=bench_c{p % 50}&utm_content=v{p % 3}&fbclid=f{p}\"}}}}}}",
            5 => $"{{\"type\":\"identify\",{head},\"traits\":{{\"phone\":\"{phone}\",\"name\":\"Nguyễn Văn {p}\"}}}}",
            7 => $"{{\"type\":\"track\",{head},\"event\":\"Product Added\",\"properties\":{{\"product_id\":\"sku-{k}\"}}}}",
            11 => $"{{\"type\":\"page\",{head},\"name\":\"Pricing\",\"properties\":{{\"path\":\"/bang-gia\",\"timeOnPageSeconds\":45}}}}",
            _ when k % 3 == 0 => $"{{\"type\":\"track\",{head},\"event\":\"Product Viewed\",\"properties\":{{\"product_id\":\"sku-{k}\"}}}}",
            _ => $"{{\"type\":\"page\",{head},\"properties\":{{\"path\":\"/san-pham/sku-{k}\",\"timeOnPageSeconds\":20}}}}",
        };
    }

    /// <summary>The silo's activations by grain class, most first: what the heap figure holds besides the profiles.</summary>
    private static async Task<string> ActivationsAsync(EmbeddedApi api)
    {
        var grains = api.Services.GetRequiredService<Orleans.IGrainFactory>();
        var stats = await grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetSimpleGrainStatistics();
        return string.Join(", ", stats.GroupBy(s => ShortName(s.GrainType))
            .Select(g => (Type: g.Key, Count: g.Sum(s => s.ActivationCount)))
            .OrderByDescending(g => g.Count).Take(6).Select(g => $"{g.Type} {g.Count:N0}"));
    }

    private static string ShortName(string grainType)
    {
        var type = grainType.Split(',')[0];
        return type[(type.LastIndexOf('.') + 1)..];
    }

    internal static long HeapAfterFullCollection()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    /// <summary>Listens to <c>o2o.events.applied</c>, the count of events the grains have applied.</summary>
    internal sealed class AppliedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _applied;

        public AppliedCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == O2OTelemetry.Name && instrument.Name == "o2o.events.applied")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _applied, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _applied);

        public void Reset() => Interlocked.Exchange(ref _applied, 0);

        public async Task WaitForAsync(long count, TimeSpan limit)
        {
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref _applied) < count)
            {
                if (deadline.Elapsed > limit)
                {
                    throw new TimeoutException($"Only {Interlocked.Read(ref _applied):N0} of {count:N0} events applied after {limit}.");
                }
                await Task.Delay(10);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>How batches travel: the content type label and the content encoding (identity or gzip), as the tracking libraries send them.</summary>
internal sealed record Wire(string ContentType, string Encoding)
{
    public static readonly Wire Json = new("application/json", "identity");

    public List<byte[]> Encode(List<byte[]> bodies) => Encoding switch
    {
        "identity" => bodies,
        "gzip" => bodies.ConvertAll(Gzip),
        _ => throw new ArgumentException($"--encoding {Encoding}: use identity or gzip"),
    };

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }
        return buffer.ToArray();
    }
}
