using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace O2O.Silo.Hosting;

/// <summary>
/// For a cluster client: degraded when the silos cannot read grain storage, since then reads and
/// ingestion through this process wait or fail even though the process itself answers.
/// </summary>
public sealed class ClusterStorageHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<O2O.Grains.Diagnostics.IStorageProbeGrain>(0).ProbeAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The silos cannot read grain storage.", ex);
        }
    }
}
