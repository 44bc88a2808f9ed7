using System.Diagnostics.Metrics;

namespace O2O.Silo.Storage;

/// <summary>Grain storage counters, on the shared <c>O2O</c> meter.</summary>
public static class StorageTelemetry
{
    public const string MeterName = "O2O";
    public const string WritesName = "o2o.storage.writes";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>State writes that reached storage, tagged with the storage name.</summary>
    public static readonly Counter<long> Writes = Meter.CreateCounter<long>(WritesName, "{write}");

    /// <summary>Writes refused because the stored ETag had moved on.</summary>
    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("o2o.storage.conflicts", "{write}");
}
