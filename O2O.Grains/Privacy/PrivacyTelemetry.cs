using System.Diagnostics.Metrics;
using O2O.Grains.Diagnostics;

namespace O2O.Grains.Privacy;

/// <summary>Privacy metrics on the shared <c>O2O</c> meter. Tags never carry a person.</summary>
public static class PrivacyTelemetry
{
    /// <summary>Events dropped because they carry an identifier on the suppression list.</summary>
    public static readonly Counter<long> EventsSuppressed = O2OTelemetry.Meter.CreateCounter<long>("o2o.events.suppressed", "{event}");
    /// <summary>Data-subject requests served, by kind (export, correct, erase).</summary>
    public static readonly Counter<long> SubjectRequests = O2OTelemetry.Meter.CreateCounter<long>("o2o.privacy.requests", "{request}");
    /// <summary>Anonymous profiles deleted after their idle period.</summary>
    public static readonly Counter<long> ProfilesExpired = O2OTelemetry.Meter.CreateCounter<long>("o2o.privacy.expired", "{profile}");
}
