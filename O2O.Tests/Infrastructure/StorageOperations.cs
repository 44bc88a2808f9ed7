using System.Diagnostics.Metrics;
using O2O.Silo.Hosting;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// Table reads and writes as the silo's own counters report them where they leave the process
/// (<c>o2o.storage.reads</c>, <c>o2o.storage.writes</c> and the requests that carried them), by table, for the tables whose names start
/// with a given prefix (a test's own tables, so parallel tests do not count).
/// </summary>
public sealed class StorageOperations : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _reads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _writes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _writeRequests = new(StringComparer.Ordinal);

    public StorageOperations(string tablePrefix)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageTelemetry.MeterName && instrument.Name is StorageTelemetry.ReadsName or StorageTelemetry.WritesName or StorageTelemetry.WriteRequestsName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "storage", Value: string table } && table.StartsWith(tablePrefix, StringComparison.Ordinal))
                {
                    var counts = instrument.Name switch
                    {
                        StorageTelemetry.ReadsName => _reads,
                        StorageTelemetry.WritesName => _writes,
                        _ => _writeRequests,
                    };
                    lock (counts)
                    {
                        counts[table] = counts.GetValueOrDefault(table) + value;
                    }
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Reads of <paramref name="table"/> (its full name) since this began counting.</summary>
    public long Reads(string table) => Count(_reads, table);

    /// <summary>Writes of <paramref name="table"/> (its full name) since this began counting.</summary>
    public long Writes(string table) => Count(_writes, table);

    /// <summary>Requests that carried those writes (one per transaction of many).</summary>
    public long WriteRequests(string table) => Count(_writeRequests, table);

    private static long Count(Dictionary<string, long> counts, string table)
    {
        lock (counts)
        {
            return counts.GetValueOrDefault(table);
        }
    }

    public void Dispose() => _listener.Dispose();
}
