using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Consultants;
using O2O.Grains.Leads;

namespace O2O.Bench;

/// <summary>
/// Issue 15: a long run at a fixed rate (half the measured capacity by default) with consultants
/// connected to the lead feed, reporting per minute the events applied, the p50/p99 batch latency
/// and the managed heap after a full collection, then the last 10 minutes against the first 10
/// after warm-up. A fixed population of people keeps acting, so a stable service holds flat.
/// </summary>
public static class SoakBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var rate = args.Int("rate", 19_600);
        var minutes = args.Int("minutes", 30);
        var warmup = args.Int("warmup-minutes", 2);
        var people = args.Int("people", 20_000);
        var consultants = args.Int("consultants", 50);
        const int BatchSize = 100;
        const int Stores = 5;
        Console.WriteLine($"O2O soak: {rate:N0} events/s for {warmup} + {minutes} minutes, {people:N0} people, {consultants} consultants over {Stores} stores");
        Console.WriteLine($"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");

        using var applied = new IngestBenchmark.AppliedCounter();
        await using var api = new EmbeddedApi(new()
        {
            ["O2O:Feed:Capacity"] = "200000",
            ["O2O:Consultants:SigningKey"] = "bench-consultant-signing-key-0123456789abcdef",
            ["O2O:Leads:MaxOpenPerConsultant"] = "100",
        });
        using var writer = api.Writer();
        var tokens = api.Services.GetRequiredService<ConsultantTokens>();
        long notices = 0;
        var connections = new List<HubConnection>();
        for (var i = 0; i < consultants; i++)
        {
            // Half on the online team, which takes the leads of people who have not walked into a store.
            var team = i % 2 == 0 ? LeadOptions.OnlineTeam : $"S{i % Stores}";
            var consultant = new Consultant($"c{i}", $"Tư vấn {i}", team, ConsultantRole.Consultant);
            var token = tokens.Issue("bench", consultant);
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(writer.BaseAddress!, "/hubs/leads"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            foreach (var kind in Enum.GetNames<LeadNoticeKind>())
            {
                connection.On<JsonElement>(kind, _ => Interlocked.Increment(ref notices));
            }
            await connection.StartAsync();
            connections.Add(connection);
        }

        var rows = new List<(int Minute, long Applied, double P50, double P99, double HeapMb, double Load)>();
        var batchesPerSecond = Math.Max(1, rate / BatchSize);
        var sequence = 0L;
        for (var minute = -warmup; minute < minutes; minute++)
        {
            var latencies = new List<double>(batchesPerSecond * 60);
            applied.Reset();
            var started = Stopwatch.StartNew();
            var inFlight = new List<Task>();
            using var gate = new SemaphoreSlim(64);
            for (var second = 0; second < 60; second++)
            {
                for (var b = 0; b < batchesPerSecond; b++)
                {
                    var body = Batch(ref sequence, people, BatchSize, Stores);
                    await gate.WaitAsync();
                    inFlight.Add(PostAsync(writer, body, latencies, gate));
                }
                // Open loop: the next second's batches start on time whatever this second's took.
                var due = TimeSpan.FromSeconds(second + 1) - started.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }
            }
            await Task.WhenAll(inFlight);
            var heap = HeapMb();
            latencies.Sort();
            var load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
            if (minute >= 0)
            {
                rows.Add((minute + 1, applied.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99), heap, load));
            }
            Console.WriteLine($"{(minute < 0 ? "warm-up" : $"minute {minute + 1,2}")}: applied {applied.Count,9:N0}, batch p50 {Percentile(latencies, 0.50),7:F1} ms, p99 {Percentile(latencies, 0.99),7:F1} ms, heap {heap,7:F1} MB, load {load:F2}, lead notices so far {Interlocked.Read(ref notices):N0}");
        }

        Console.WriteLine();
        Console.WriteLine("| minute | events applied | batch p50 ms | batch p99 ms | managed heap MB | load average |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            Console.WriteLine($"| {r.Minute} | {r.Applied:N0} | {r.P50:F1} | {r.P99:F1} | {r.HeapMb:F1} | {r.Load:F2} |");
        }
        var window = Math.Min(10, rows.Count / 2);
        if (window > 0)
        {
            var first = rows.Take(window).ToList();
            var last = rows.TakeLast(window).ToList();
            Console.WriteLine();
            Console.WriteLine($"first {window} min: heap {first.Average(r => r.HeapMb):F1} MB, p99 {first.Average(r => r.P99):F1} ms; last {window} min: heap {last.Average(r => r.HeapMb):F1} MB ({Change(first.Average(r => r.HeapMb), last.Average(r => r.HeapMb))}), p99 {last.Average(r => r.P99):F1} ms ({Change(first.Average(r => r.P99), last.Average(r => r.P99))})");
        }
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }
        return 0;
    }

    private static string Change(double before, double after) => before == 0 ? "n/a" : $"{(after - before) / before * 100:+0.0;-0.0}%";

    private static async Task PostAsync(HttpClient client, byte[] body, List<double> latencies, SemaphoreSlim gate)
    {
        try
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync("/v1/batch", content);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    await Task.Delay(50);
                    continue;
                }
                response.EnsureSuccessStatusCode();
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                return;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A hundred events of a fixed population: pages and products mostly, now and then a phone and a store visit that raises a lead.</summary>
    private static byte[] Batch(ref long sequence, int people, int size, int stores)
    {
        var sb = new StringBuilder("{\"batch\":[");
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < size; i++)
        {
            var n = sequence++;
            var p = (int)(n % people);
            var head = $"\"anonymousId\":\"soak-{p}\",\"messageId\":\"soak-{n}\",\"timestamp\":\"{now:O}\"";
            sb.Append(i == 0 ? "" : ",");
            sb.Append((n / people % 10) switch
            {
                0 => $"{{\"type\":\"page\",{head},\"name\":\"Home\",\"context\":{{\"page\":{{\"url\":\"https://shop.vn/?utm_source=facebook&utm_campaign=soak_c{p % 20}\"}}}}}}",
                1 => $"{{\"type\":\"identify\",{head},\"traits\":{{\"phone\":\"09{p:D8}\",\"name\":\"Khách {p}\"}}}}",
                2 => $"{{\"type\":\"track\",{head},\"event\":\"Chat Started\",\"properties\":{{\"storeId\":\"S{p % stores}\"}}}}",
                _ => $"{{\"type\":\"track\",{head},\"event\":\"Product Viewed\",\"properties\":{{\"product_id\":\"sku-{n % 500}\"}}}}",
            });
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    private static double HeapMb()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
