using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace O2O.Bench;

/// <summary>
/// What Orleans alone costs the ingest benchmark's pattern of grain calls, with none of O2O in the
/// process: a bare silo, configured as the Api's embedded one, and a grain that only counts its calls.
/// Each of 50,000 people is a grain called once per round for 20 rounds; a "batch" is 100 calls to
/// 100 different grains awaited together, 8 batches at once. The GC pause share and allocation here
/// are the floor under <c>ingest</c>'s: no change to O2O's own code can take that benchmark below them.
/// </summary>
public static class OrleansFloorBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var grains = args.Int("profiles", 50_000);
        var calls = args.Int("events-per-profile", 20);
        var batch = args.Int("batch", 100);
        var senders = args.Int("senders", 8);
        var warm = args.Int("warmup-profiles", 60_000);
        var returning = args.String("returning", "false") == "true";
        if (returning && grains > warm)
        {
            throw new ArgumentException($"--returning needs --profiles at most --warmup-profiles ({warm:N0})");
        }
        Console.WriteLine($"Orleans floor: {grains:N0} empty grains x {calls} calls, batches of {batch} grains, {senders} concurrent batches, {(returning ? "grains already in memory" : "new grains")}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}, pid {Environment.ProcessId}");

        var builder = Host.CreateApplicationBuilder();
        // Errors only: at start Orleans' watchdog warns of a first check it never made, which says nothing here.
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            // As the Api's embedded silo: alone on loopback, no directory cache.
            silo.Configure<GrainDirectoryOptions>(o => o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
            silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort());
        });
        using var host = builder.Build();
        await host.StartAsync();
        var factory = host.Services.GetRequiredService<IGrainFactory>();

        // Warm-up, as ingest's: JIT tiers settle and the heap holds the warm-up's grains.
        await CallAsync(factory, "warm", warm, 10, batch, senders);
        var (prefix, first) = returning ? ("warm", 10) : ("p", 0);
        var baseline = IngestBenchmark.HeapAfterFullCollection();
        using var cost = new ProcessCost();
        var clock = Stopwatch.StartNew();
        await CallAsync(factory, prefix, grains, calls, batch, senders, first);
        var elapsed = clock.Elapsed;
        var total = (long)grains * calls;
        Console.WriteLine($"called    {total:N0} times in {elapsed.TotalSeconds:F2} s = {total / elapsed.TotalSeconds:N0} calls/s");
        Console.WriteLine(cost.Summary(total, "call"));
        var heap = IngestBenchmark.HeapAfterFullCollection() - baseline;
        Console.WriteLine($"managed heap +{heap / 1024.0 / 1024.0:N1} MB, {(returning ? 0 : heap / (double)grains / 1024.0):N2} KB per new grain");
        await host.StopAsync();
        return 0;
    }

    /// <summary>Round k calls every grain once; the rounds' calls are cut into batches taken by the senders.</summary>
    private static async Task CallAsync(IGrainFactory factory, string prefix, int grains, int rounds, int batch, int senders, int first = 0)
    {
        var keys = Enumerable.Range(0, grains).Select(p => $"bench/{prefix}-{p}").ToArray();
        var calls = (long)grains * rounds;
        var next = -1L;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            var inFlight = new List<Task<int>>(batch);
            long b;
            while ((b = Interlocked.Increment(ref next)) * batch < calls)
            {
                inFlight.Clear();
                for (var n = b * batch; n < Math.Min(calls, (b + 1) * batch); n++)
                {
                    inFlight.Add(factory.GetGrain<IFloorGrain>(keys[n % grains]).TouchAsync(first + (int)(n / grains)));
                }
                await Task.WhenAll(inFlight);
            }
        })));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public interface IFloorGrain : IGrainWithStringKey
{
    /// <summary>Takes call <paramref name="round"/>; answers how many calls this grain has taken.</summary>
    Task<int> TouchAsync(int round);
}

/// <summary>A grain with nothing in it but a count: what an activation and a call cost by themselves.</summary>
public sealed class FloorGrain : Grain, IFloorGrain
{
    private int _calls;

    public Task<int> TouchAsync(int round) => Task.FromResult(++_calls);
}
