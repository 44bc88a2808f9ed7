using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace O2O.Grains.Diagnostics;

/// <summary>The <c>O2O</c> meter and activity source, shared by every service.</summary>
public static class O2OTelemetry
{
    public const string Name = "O2O";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Events accepted at the edge and handed to the feed.</summary>
    public static readonly Counter<long> EventsIngested = Meter.CreateCounter<long>("o2o.events.ingested", "{event}");
    /// <summary>Events applied to grains (duplicates included: they were processed, and counted once).</summary>
    public static readonly Counter<long> EventsApplied = Meter.CreateCounter<long>("o2o.events.applied", "{event}");
    /// <summary>Events recognised as duplicates by message id.</summary>
    public static readonly Counter<long> EventsDuplicate = Meter.CreateCounter<long>("o2o.events.duplicate", "{event}");
    /// <summary>Events refused at the edge with a reason.</summary>
    public static readonly Counter<long> EventsRejected = Meter.CreateCounter<long>("o2o.events.rejected", "{event}");
    /// <summary>Events sent to the dead-letter store.</summary>
    public static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>("o2o.events.deadlettered", "{event}");
    /// <summary>Time from an event's acceptance to its application in grains.</summary>
    public static readonly Histogram<double> ApplyLatency = Meter.CreateHistogram<double>("o2o.events.apply_latency", "ms");

    /// <summary>Transient apply failures retried (the events stay held, never dead-lettered).</summary>
    public static readonly Counter<long> ApplyRetries = Meter.CreateCounter<long>("o2o.events.apply_retries", "{attempt}");

    /// <summary>From a partition revocation until the group assigned partitions again.</summary>
    public static readonly Histogram<double> RebalanceDuration = Meter.CreateHistogram<double>("o2o.consumer.rebalance.duration", "ms");
}
