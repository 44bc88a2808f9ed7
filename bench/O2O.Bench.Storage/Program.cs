using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Silo.Hosting;

namespace O2O.Bench.Storage;

/// <summary>
/// Events/s applied durably with Azure Table grain storage, and storage writes per event, for a
/// workload of 10 events per profile sent together. Starts its own in-memory Azurite unless given
/// <c>--tables "&lt;connection string&gt;"</c>.
/// Usage: <c>dotnet run -c Release --project bench/O2O.Bench.Storage -- [--profiles N] [--batch N] [--concurrency N] [--tables CS]</c>.
/// With <c>eventhubs</c> first: the durable path through the event hub with realistic interleaving (<see cref="DurableEventHubsBenchmark"/>);
/// with <c>tables</c>: what single Table operations cost the storage server (<see cref="TableOperationsBenchmark"/>).
/// </summary>
internal static class Program
{
    private const int EventsPerProfile = 10;
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static async Task<int> Main(string[] args)
    {
        var profiles = Arg(args, "--profiles", 20_000);
        var batchProfiles = Arg(args, "--batch", 50);
        var concurrency = Arg(args, "--concurrency", 8);
        var warmup = Arg(args, "--warmup", 2_000);
        var tables = args.SkipWhile(a => a != "--tables").Skip(1).FirstOrDefault();

        using var azurite = tables is null ? StartAzurite(out tables) : null;
        try
        {
            return args.FirstOrDefault() switch
            {
                "eventhubs" => await DurableEventHubsBenchmark.RunAsync(args, tables, azurite),
                "tables" => await TableOperationsBenchmark.RunAsync(args, tables, azurite),
                _ => await RunAsync(tables, profiles, batchProfiles, concurrency, warmup),
            };
        }
        finally
        {
            if (azurite is { HasExited: false })
            {
                azurite.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<int> RunAsync(string tables, int profiles, int batchProfiles, int concurrency, int warmup)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // A free port: Kestrel's default (5000) may be taken by a test silo or another benchmark.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(SiloSettings(tables, []));
        builder.AddO2OSilo();
        await using var app = builder.Build();
        await app.StartAsync();

        var writes = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageTelemetry.MeterName && instrument.Name == StorageTelemetry.WritesName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var storage = tags.ToArray().FirstOrDefault(t => t.Key == "storage").Value as string ?? "?";
            lock (writes)
            {
                writes[storage] = writes.GetValueOrDefault(storage) + value;
            }
        });
        listener.Start();

        var applier = app.Services.GetRequiredService<EventApplier>();
        var clock = TimeProvider.System;
        var tenant = "bench" + Guid.NewGuid().ToString("N")[..6];
        async Task<TimeSpan> PassAsync(string pass, string person, int people)
        {
            lock (writes)
            {
                writes.Clear();
            }
            var batches = (people + batchProfiles - 1) / batchProfiles;
            var next = -1;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                for (var b = Interlocked.Increment(ref next); b < batches; b = Interlocked.Increment(ref next))
                {
                    var count = Math.Min(batchProfiles, people - (b * batchProfiles));
                    var (applied, _) = await applier.ApplyAsync(Batch(tenant, pass, person, b * batchProfiles, count, clock));
                    if (applied != count * EventsPerProfile)
                    {
                        throw new InvalidOperationException($"Batch {b} applied {applied} of {count * EventsPerProfile} events.");
                    }
                }
            }));
            return stopwatch.Elapsed;
        }

        // Warm-up, both passes over other people: JIT, table creation, connection pool; not measured.
        foreach (var pass in new[] { "new", "returning" })
        {
            await PassAsync(pass, "warm", warmup);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"profiles {profiles}, events per pass {(long)profiles * EventsPerProfile}, batch {batchProfiles} profiles ({batchProfiles * EventsPerProfile} events), concurrency {concurrency}"));
        // First every profile is new (identity claimed, profile created); then the same people come back.
        foreach (var pass in new[] { "new", "returning" })
        {
            var elapsed = await PassAsync(pass, "p", profiles);
            var events = (long)profiles * EventsPerProfile;
            var total = writes.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pass,-9} profiles: {elapsed.TotalSeconds,5:F1} s, {events / elapsed.TotalSeconds,6:F0} events/s applied durably, {total} storage writes = {(double)total / events:F3} writes/event"));
            foreach (var (storage, count) in writes.OrderBy(w => w.Key, StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {storage,-12} {count,8} writes ({(double)count / events:F3}/event)"));
            }
        }
        await app.StopAsync();
        return 0;
    }

    /// <summary>A silo whose every grain storage is Orleans' Azure Table provider, as the AppHost wires it.</summary>
    internal static Dictionary<string, string?> SiloSettings(string tables, Dictionary<string, string?> more)
    {
        var settings = new Dictionary<string, string?>(more)
        {
            ["ConnectionStrings:tables"] = tables,
            ["O2O:Privacy:PseudonymSecret"] = "bench-only-pseudonym-secret-0123456789",
        };
        foreach (var name in StorageNames.All)
        {
            settings[$"Orleans:GrainStorage:{name}:ProviderType"] = TableConnections.ProviderType;
            settings[$"Orleans:GrainStorage:{name}:ServiceKey"] = "tables";
        }
        return settings;
    }

    /// <summary><paramref name="count"/> profiles' worth of events, each profile's 10 events together, as a feed would batch them.</summary>
    private static List<CustomerEvent> Batch(string tenant, string pass, string person, int first, int count, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var batch = new List<CustomerEvent>(count * EventsPerProfile);
        for (var p = first; p < first + count; p++)
        {
            for (var e = 0; e < EventsPerProfile; e++)
            {
                batch.Add(new CustomerEvent
                {
                    MessageId = string.Create(CultureInfo.InvariantCulture, $"{pass}-{p}-{e}"),
                    Tenant = tenant,
                    Type = e % 3 == 0 ? EventType.Page : EventType.Track,
                    Name = e % 3 == 0 ? null : SegmentEvents.ProductViewed,
                    Path = string.Create(CultureInfo.InvariantCulture, $"/san-pham/{e}"),
                    AnonymousId = string.Create(CultureInfo.InvariantCulture, $"{person}-anon-{p}"),
                    Timestamp = now,
                });
            }
        }
        return batch;
    }

    private static Process StartAzurite(out string connectionString)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var info = new ProcessStartInfo("azurite-table")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            WorkingDirectory = Directory.CreateTempSubdirectory("azurite").FullName,
        };
        foreach (var a in new[] { "--tableHost", "127.0.0.1", "--tablePort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--disableTelemetry" })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("azurite-table did not start (npm install -g azurite).");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        return process;
    }

    internal static int Arg(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
