using System.Diagnostics;

namespace O2O.Bench;

/// <summary>
/// What a measured stretch cost the process: CPU time per event and time paused for garbage
/// collection. CPU per event is the figure that stays comparable on a shared, noisy machine.
/// </summary>
internal sealed class ProcessCost : IDisposable
{
    private readonly GcPromotions _promotions = new();
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly TimeSpan _paused = GC.GetTotalPauseDuration();
    private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: false);
    private readonly int[] _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly TimeSpan _jit = System.Runtime.JitInfo.GetCompilationTime();
    private readonly long _jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    /// <summary>The stretch's cost over <paramref name="events"/> units of work, each called <paramref name="per"/> in the line.</summary>
    public string Summary(long events, string per = "event")
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var paused = GC.GetTotalPauseDuration() - _paused;
        var wall = _wall.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocated;
        var jit = System.Runtime.JitInfo.GetCompilationTime() - _jit;
        return $"cost      {cpu.TotalMicroseconds / events:F1} µs CPU per {per} ({cpu.TotalSeconds / wall.TotalSeconds * 100:F0}% of one core over {wall.TotalSeconds:F1} s); "
            + $"GC paused {paused.TotalMilliseconds / wall.TotalMilliseconds * 100:F1}% of the time ({paused.TotalMicroseconds / events:F2} µs per {per}), collections gen0/1/2 "
            + $"{GC.CollectionCount(0) - _collections[0]}/{GC.CollectionCount(1) - _collections[1]}/{GC.CollectionCount(2) - _collections[2]}; "
            + $"allocated {allocated / (double)events / 1024.0:F1} KB per {per} (sender included), promoted {_promotions.FromGen0 / (double)events:F0} B per {per} to gen1 and {_promotions.FromGen1 / (double)events:F0} B to gen2, longest pause {_promotions.LongestPause.TotalMilliseconds:F0} ms; "
            + $"JIT {jit.TotalMilliseconds:F0} ms for {System.Runtime.JitInfo.GetCompiledMethodCount() - _jitted:N0} methods; load average {LoadAverage()}";
    }

    /// <summary>The 1-minute load average (Linux), so every figure says how busy the shared machine was.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    public void Dispose() => _promotions.Dispose();
}
