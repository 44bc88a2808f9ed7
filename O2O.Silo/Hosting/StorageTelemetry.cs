using System.Diagnostics.Metrics;

namespace O2O.Silo.Hosting;

/// <summary>Grain storage counters, on the shared <c>O2O</c> meter.</summary>
public static class StorageTelemetry
{
    public const string MeterName = "O2O";
    public const string WritesName = "o2o.storage.writes";
    public const string ReadsName = "o2o.storage.reads";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Entity writes (insert, update, delete) that Table storage accepted, tagged with the table.</summary>
    public static readonly Counter<long> Writes = Meter.CreateCounter<long>(WritesName, "{write}");

    /// <summary>Entity reads and queries Table storage answered (found or not), tagged with the table.</summary>
    public static readonly Counter<long> Reads = Meter.CreateCounter<long>(ReadsName, "{read}");
}
