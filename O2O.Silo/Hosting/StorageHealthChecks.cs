using Azure.Data.Tables;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace O2O.Silo.Hosting;

/// <summary>Ready only when the Table service answers: every grain read and write goes there.</summary>
public sealed class TableStorageHealthCheck(TableServiceClient tables) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Table storage does not answer.", ex);
        }
    }
}

/// <summary>Ready only when Redis answers a PING: membership and reminders live there.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer.", ex);
        }
    }
}

public static class StorageHealthCheckExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>
    /// One check per distinct Redis and Table service the <c>Orleans</c> section names (clustering,
    /// reminders, grain storage), so <c>/health</c> reports what the silo cannot work without.
    /// </summary>
    public static IHealthChecksBuilder AddOrleansBackendChecks(this IHealthChecksBuilder checks, IConfiguration configuration)
    {
        foreach (var key in configuration.RedisServiceKeys())
        {
            checks.Add(new HealthCheckRegistration($"redis-{key}", services => new RedisHealthCheck(services.GetRequiredKeyedService<IConnectionMultiplexer>(key)), HealthStatus.Unhealthy, [ReadyTag]));
        }

        foreach (var key in configuration.TableServiceKeys())
        {
            checks.Add(new HealthCheckRegistration($"tables-{key}", services => new TableStorageHealthCheck(services.GetRequiredKeyedService<TableServiceClient>(key)), HealthStatus.Unhealthy, [ReadyTag]));
        }
        return checks;
    }

    /// <summary>The feed's own health (<see cref="IngestionHealthCheck"/>), once per process.</summary>
    public static IHealthChecksBuilder AddIngestionCheck(this IHealthChecksBuilder checks)
    {
        checks.Services.Configure<HealthCheckServiceOptions>(o =>
        {
            if (!o.Registrations.Any(r => r.Name == IngestionHealthCheck.Name))
            {
                o.Registrations.Add(new HealthCheckRegistration(IngestionHealthCheck.Name,
                    services => new IngestionHealthCheck(services.GetRequiredService<O2O.Grains.Ingestion.IngestionHealth>()), HealthStatus.Degraded, [ReadyTag]));
            }
        });
        return checks;
    }
}
