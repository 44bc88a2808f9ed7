using System.Diagnostics.Tracing;

namespace O2O.Bench;

/// <summary>
/// Bytes each collection promoted, read from the runtime's own GC events in this process. What a
/// collection pauses for is what survives it, and unlike pause times this figure does not move with
/// the load of a shared machine: it says whether a change made less survive.
/// </summary>
internal sealed class GcPromotions : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private long _fromGen0;
    private long _fromGen1;
    private long _maxPauseTicks;
    private long _pauseStart;

    public long FromGen0 => Interlocked.Read(ref _fromGen0);

    public long FromGen1 => Interlocked.Read(ref _fromGen1);

    public TimeSpan LongestPause => TimeSpan.FromTicks(Interlocked.Read(ref _maxPauseTicks));

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventName)
        {
            case "GCHeapStats_V2" when e.Payload is { } p && Convert.ToInt64(p[5]) == 0:
                // TotalPromotedSize0: gen0 survivors moved to gen1; TotalPromotedSize1: gen1's to gen2.
                // Ephemeral collections only (nothing promoted in gen2): a background collection's
                // statistics repeat the last gen1 figure.
                Interlocked.Add(ref _fromGen0, Convert.ToInt64(p[1]));
                Interlocked.Add(ref _fromGen1, Convert.ToInt64(p[3]));
                break;
            case "GCSuspendEEBegin_V1":
                Interlocked.Exchange(ref _pauseStart, e.TimeStamp.Ticks);
                break;
            case "GCRestartEEEnd_V1":
                var pause = e.TimeStamp.Ticks - Interlocked.Read(ref _pauseStart);
                if (pause > Interlocked.Read(ref _maxPauseTicks))
                {
                    Interlocked.Exchange(ref _maxPauseTicks, pause);
                }
                break;
        }
    }
}
