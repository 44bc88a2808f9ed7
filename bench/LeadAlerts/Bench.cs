using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Consultants;
using O2O.Grains.Leads;

// Lead alert latency: from the HTTP 200 of a check-in that raises a lead to its arrival at every
// consultant connection of the store, with many connections and a steady background event load.
// Usage: dotnet run -c Release --project bench/LeadAlerts -- [consultants=500] [eventsPerSecond=5000] [alertsPerSecond=20] [seconds=30]
internal static class LeadAlertsBench
{
    public static async Task Main(string[] args)
    {
        var argsList = args.Select(int.Parse).ToArray();
        int consultants = argsList.ElementAtOrDefault(0) is > 0 and var c ? c : 500;
        int eventsPerSecond = argsList.Length > 1 ? argsList[1] : 5_000;
        int alertsPerSecond = argsList.ElementAtOrDefault(2) is > 0 and var a ? a : 20;
        int seconds = argsList.ElementAtOrDefault(3) is > 0 and var s ? s : 30;
        // 500 client connections live in this process too: start with enough threads not to wait for the pool to grow.
        ThreadPool.SetMinThreads(64, 64);
        const int PerStore = 10;
        const string Tenant = "bench";
        const string WriteKey = "bench-write-key-0123456789";

        await using var api = new BenchApi();
        api.UseKestrel(0);
        api.StartServer();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = api.ClientOptions.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));

        var stores = Enumerable.Range(0, Math.Max(1, consultants / PerStore)).Select(i => $"B{i:D3}").ToArray();
        var clock = Stopwatch.StartNew();
        var received = new ConcurrentDictionary<string, ConcurrentBag<(string Consultant, double At)>>();
        var tokens = api.Services.GetRequiredService<ConsultantTokens>();
        var connections = new List<HubConnection>();
        Console.WriteLine($"Connecting {consultants} consultants over {stores.Length} stores...");
        for (var i = 0; i < consultants; i++)
        {
            var store = stores[i % stores.Length];
            var consultant = new Consultant($"c{i}", $"Consultant {i}", store, ConsultantRole.Consultant);
            var token = tokens.Issue(Tenant, consultant);
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(api.ClientOptions.BaseAddress, "/hubs/leads"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            connection.On<JsonElement>(nameof(LeadNoticeKind.LeadOffered), lead =>
            {
                var at = clock.Elapsed.TotalMilliseconds;
                if (lead.GetProperty("name").GetString() is { } name)
                {
                    received.GetOrAdd(name, _ => []).Add((consultant.Id, at));
                }
            });
            connections.Add(connection);
        }
        foreach (var chunk in connections.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(x => x.StartAsync()));
        }
        Console.WriteLine($"{connections.Count(x => x.State == HubConnectionState.Connected)} connected.");

        using var stop = new CancellationTokenSource();
        long backgroundSent = 0, backgroundFailed = 0;
        var background = Task.Run(async () =>
        {
            // Anonymous page views in batches of 50, sent open-loop (at most 64 batches in flight).
            const int Batch = 50;
            var batchesPerTick = Math.Max(1, eventsPerSecond / Batch / 20);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            using var inFlight = new SemaphoreSlim(64);
            var n = 0L;
            while (eventsPerSecond > 0 && await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                for (var b = 0; b < batchesPerTick; b++)
                {
                    if (!inFlight.Wait(0))
                    {
                        Interlocked.Add(ref backgroundFailed, Batch);
                        continue;
                    }
                    var items = Enumerable.Range(0, Batch).Select(_ =>
                    {
                        // A pool of 20,000 browsing visitors: each gets a page view now and then, never enough to turn hot.
                        var id = Interlocked.Increment(ref n);
                        return new { type = "page", anonymousId = $"bg-{id % 20_000}", messageId = $"bg-{id}", properties = new { path = "/" } };
                    }).ToArray();
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            using var response = await http.PostAsJsonAsync("/v1/batch", new { batch = items });
                            Interlocked.Add(ref response.IsSuccessStatusCode ? ref backgroundSent : ref backgroundFailed, Batch);
                        }
                        catch (HttpRequestException)
                        {
                            Interlocked.Add(ref backgroundFailed, Batch);
                        }
                        finally
                        {
                            inFlight.Release();
                        }
                    });
                }
            }
        });

        var okAt = new ConcurrentDictionary<string, (string Store, double At)>();
        var alertFailures = 0;
        async Task SendAlertsAsync(int count, string prefix)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / alertsPerSecond));
            var pending = new List<Task>();
            for (var i = 0; i < count && await timer.WaitForNextTickAsync(); i++)
            {
                var name = $"{prefix}-{i}";
                var store = stores[i % stores.Length];
                var phone = "090" + Random.Shared.Next(1_000_000, 9_999_999);
                pending.Add(Task.Run(async () =>
                {
                    using var response = await http.PostAsJsonAsync("/v1/checkins", new { storeId = store, method = "qr", phone, name });
                    var at = clock.Elapsed.TotalMilliseconds;
                    if (response.IsSuccessStatusCode)
                    {
                        okAt[name] = (store, at);
                    }
                    else
                    {
                        Interlocked.Increment(ref alertFailures);
                        Console.WriteLine($"check-in {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }));
            }
            await Task.WhenAll(pending);
        }

        Console.WriteLine("Warming up (10 s)...");
        await SendAlertsAsync(10 * alertsPerSecond, "warm");
        var sentBefore = Interlocked.Read(ref backgroundSent);
        var measureStart = clock.Elapsed;
        var cost = new MeasuredCost();
        using var probe = new TailProbe();
        Console.WriteLine($"Measuring ({seconds} s)...");
        await SendAlertsAsync(seconds * alertsPerSecond, "alert");
        var measured = clock.Elapsed - measureStart;
        cost.Stop();
        probe.Stop();
        var backgroundRate = (Interlocked.Read(ref backgroundSent) - sentBefore) / measured.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(10)); // stragglers; what has not arrived by then counts as lost
        stop.Cancel();
        try
        {
            await background;
        }
        catch (OperationCanceledException)
        {
        }

        var samples = new List<double>();
        var lost = 0;
        foreach (var (name, (store, ok)) in okAt.Where(x => x.Key.StartsWith("alert-", StringComparison.Ordinal)))
        {
            var got = received.TryGetValue(name, out var bag) ? bag.ToArray() : [];
            var expected = connections.Count / stores.Length;
            lost += Math.Max(0, expected - got.Select(g => g.Consultant).Distinct().Count());
            samples.AddRange(got.Select(g => Math.Max(0, g.At - ok)));
        }
        samples.Sort();
        double P(double q) => samples.Count == 0 ? double.NaN : samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(q * samples.Count) - 1)];
        Console.WriteLine();
        Console.WriteLine($"consultant connections : {connections.Count(x => x.State == HubConnectionState.Connected)} ({PerStore} per store, {stores.Length} stores)");
        Console.WriteLine($"background load        : {backgroundRate:F0} events/s accepted ({Interlocked.Read(ref backgroundFailed)} not sent or failed: client saturated)");
        Console.WriteLine($"alerts                 : {okAt.Count(x => x.Key.StartsWith("alert-", StringComparison.Ordinal))} check-ins, {samples.Count} deliveries, {lost} lost, {alertFailures} failed posts");
        Console.WriteLine($"latency ms             : p50 {P(0.50):F1}  p90 {P(0.90):F1}  p95 {P(0.95):F1}  p99 {P(0.99):F1}  max {(samples.Count > 0 ? samples[^1] : double.NaN):F1}");
        Console.WriteLine($"where the time went    : {probe.Summary()}");
        Console.WriteLine($"process                : {cost.Summary()}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}

/// <summary>The real API (embedded silo) on Kestrel, configured for the benchmark.</summary>
internal sealed class BenchApi : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("O2O:Demo:Enabled", "false");
        builder.UseSetting("O2O:Feed:Capacity", "200000");
        builder.UseSetting("O2O:Security:WriteKeys:0:Key", "bench-write-key-0123456789");
        builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", "bench");
        builder.UseSetting("O2O:Privacy:PseudonymSecret", "bench-only-pseudonym-secret-0123456789");
        builder.UseSetting("O2O:Consultants:SigningKey", "bench-consultant-signing-key-0123456789abcdef");
        builder.UseSetting("O2O:Leads:MaxOpenPerConsultant", "100");
    }
}

/// <summary>CPU and garbage collection over the measured stretch (the figures that explain a tail).</summary>
internal sealed class MeasuredCost
{
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly TimeSpan _paused = GC.GetTotalPauseDuration();
    private readonly int _gen0 = GC.CollectionCount(0), _gen1 = GC.CollectionCount(1), _gen2 = GC.CollectionCount(2);
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private string _summary = "";

    public void Stop()
    {
        var wall = _wall.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var paused = GC.GetTotalPauseDuration() - _paused;
        _summary = $"{cpu.TotalSeconds / wall.TotalSeconds * 100:F0}% of one core, GC paused {paused.TotalMilliseconds / wall.TotalMilliseconds * 100:F1}% "
            + $"(gen0/1/2 {GC.CollectionCount(0) - _gen0}/{GC.CollectionCount(1) - _gen1}/{GC.CollectionCount(2) - _gen2}, server GC {System.Runtime.GCSettings.IsServerGC})";
    }

    public string Summary() => _summary;
}

/// <summary>
/// What a tail could be made of, sampled over the measured stretch: how long events waited in the
/// feed before a grain applied them (<c>o2o.events.apply_latency</c>, from the event's time, which is
/// its arrival for the background's untimed page views), the thread pool's queue, and the longest GC pause.
/// </summary>
internal sealed class TailProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<double> _applyLatency = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SortedDictionary<int, double> _worstBySecond = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _maxQueue, _maxThreads;
    private TimeSpan _maxPause;

    public TailProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == O2O.Grains.Diagnostics.O2OTelemetry.Name && instrument.Name == "o2o.events.apply_latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_applyLatency)
            {
                _applyLatency.Add(value);
                var second = (int)_clock.Elapsed.TotalSeconds / 5 * 5;
                _worstBySecond[second] = Math.Max(_worstBySecond.GetValueOrDefault(second), value);
            }
        });
        _listener.Start();
        _sampler = Task.Run(async () =>
        {
            var lastGc = -1L;
            while (!_stop.IsCancellationRequested)
            {
                _maxQueue = Math.Max(_maxQueue, ThreadPool.PendingWorkItemCount);
                _maxThreads = Math.Max(_maxThreads, ThreadPool.ThreadCount);
                foreach (var kind in new[] { GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background })
                {
                    var info = GC.GetGCMemoryInfo(kind);
                    if (info.Index != lastGc && info.Index > 0)
                    {
                        foreach (var pause in info.PauseDurations)
                        {
                            _maxPause = pause > _maxPause ? pause : _maxPause;
                        }
                    }
                }
                lastGc = GC.GetGCMemoryInfo(GCKind.Any).Index;
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public void Stop()
    {
        _stop.Cancel();
        _sampler.Wait();
        _listener.Dispose();
    }

    public string Summary()
    {
        double[] sorted;
        lock (_applyLatency)
        {
            sorted = [.. _applyLatency.Order()];
        }
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];
        return $"feed to applied p50 {P(0.5):F1} / p99 {P(0.99):F1} / max {(sorted.Length > 0 ? sorted[^1] : double.NaN):F1} ms over {sorted.Length:N0} events; "
            + $"thread pool queue max {_maxQueue}, threads max {_maxThreads}; longest GC pause {_maxPause.TotalMilliseconds:F1} ms; "
            + $"worst feed wait per 5 s: {string.Join(" ", _worstBySecond.Select(x => $"{x.Key}s:{x.Value:F0}"))}";
    }

    public void Dispose() => _stop.Dispose();
}
