using Microsoft.Extensions.Diagnostics.HealthChecks;
using O2O.Grains;
using O2O.Silo.Hosting;

namespace O2O.Api.Extensions;

public static class OrleansExtensions
{
    /// <summary>
    /// Joins the cluster named in the <c>Orleans</c> section as a client; with no cluster configured
    /// (the default) hosts an embedded silo with in-memory storage, so one process runs everything.
    /// </summary>
    public static TBuilder AddO2OOrleans<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (builder.Configuration.HasClusterConfiguration())
        {
            builder.Services.AddKeyedRedisConnections(builder.Configuration);
            builder.UseOrleansClient(client =>
            {
                client.AddOutgoingGrainCallFilter<RequestDeadline>();
                if (builder.Configuration.ExportsTraces())
                {
                    client.AddActivityPropagation();
                }
            });
            builder.Services.AddHealthChecks()
                .AddCheck<ClusterMembershipHealthCheck>("orleans-cluster", tags: ["ready"])
                .AddCheck<ClusterStorageHealthCheck>("cluster-storage", HealthStatus.Degraded, ["ready"]);
            builder.Services.AddO2OGrainOptions();
            builder.Services.AddO2OEventApplier();
        }
        else
        {
            builder.AddO2OSilo();
        }
        return builder;
    }

    /// <summary>True when this process hosts its own silo.</summary>
    public static bool IsEmbedded(this IConfiguration configuration) => !configuration.HasClusterConfiguration();
}
