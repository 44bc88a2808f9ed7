using Microsoft.Extensions.Diagnostics.HealthChecks;
using O2O.Grains.Ingestion;

namespace O2O.Silo.Hosting;

/// <summary>
/// Degraded while this process's feed is stuck: a lane retrying a failure for long, a consumer
/// group rebalancing for long, or lag only growing. The data carries lag, retrying lanes, lane
/// restarts and the last rebalance's duration.
/// </summary>
public sealed class IngestionHealthCheck(IngestionHealth health) : IHealthCheck
{
    public const string Name = "ingestion";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (degraded, description, data) = health.Evaluate();
        return Task.FromResult(degraded
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}
