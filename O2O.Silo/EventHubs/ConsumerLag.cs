using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using O2O.Grains.Diagnostics;

namespace O2O.Silo.EventHubs;

/// <summary>
/// Consumer lag per partition, exported as <c>o2o.consumer.lag</c>: messages on the hub that this
/// process owns and has not applied yet (high watermark minus the next offset to apply).
/// </summary>
public static class ConsumerLag
{
    public const string MetricName = "o2o.consumer.lag";

    private static readonly ConcurrentDictionary<(string Topic, int Partition), long> Lags = new();

    private static readonly ObservableGauge<long> Gauge = O2OTelemetry.Meter.CreateObservableGauge(
        MetricName,
        () => Lags.Select(l => new Measurement<long>(l.Value,
            new KeyValuePair<string, object?>("topic", l.Key.Topic),
            new KeyValuePair<string, object?>("partition", l.Key.Partition))),
        "{message}",
        "Messages not yet applied, per owned partition");

    /// <summary>The last lag seen for a partition this process owns, if any.</summary>
    public static long? Of(string topic, int partition) => Lags.TryGetValue((topic, partition), out var lag) ? lag : null;

    internal static void Set(string topic, int partition, long lag) => Lags[(topic, partition)] = Math.Max(0, lag);

    internal static void Forget(string topic, int partition) => Lags.TryRemove((topic, partition), out _);
}
