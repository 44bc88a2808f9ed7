using System.Diagnostics.Metrics;

namespace O2O.Silo.Hosting;

/// <summary>Grain storage counters, on the shared <c>O2O</c> meter.</summary>
public static class StorageTelemetry
{
    public const string MeterName = "O2O";
    public const string WritesName = "o2o.storage.writes";
    public const string ReadsName = "o2o.storage.reads";
    public const string WriteRequestsName = "o2o.storage.write_requests";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Entity writes (insert, update, delete) that Table storage accepted, tagged with the table.</summary>
    public static readonly Counter<long> Writes = Meter.CreateCounter<long>(WritesName, "{write}");

    /// <summary>
    /// Requests that carried those writes, tagged with the table: one per entity written alone, one per
    /// entity group transaction (up to 100 entities). Table storage bills a request.
    /// </summary>
    public static readonly Counter<long> WriteRequests = Meter.CreateCounter<long>(WriteRequestsName, "{request}");

    /// <summary>Entity reads and queries Table storage answered (found or not), tagged with the table.</summary>
    public static readonly Counter<long> Reads = Meter.CreateCounter<long>(ReadsName, "{read}");
}
