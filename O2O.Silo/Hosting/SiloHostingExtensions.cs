using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using O2O.Grains;
using O2O.Silo.EventHubs;
using O2O.Silo.Messaging;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace O2O.Silo.Hosting;

/// <summary>
/// Hosts the O2O grains. Everything comes from the <c>Orleans</c> configuration section, the keys an
/// Aspire AppHost injects (<c>Orleans__Clustering__ProviderType</c>, <c>Orleans__GrainStorage__profiles__ProviderType</c>, ...).
/// What the section leaves out falls back to a single local silo with in-memory storage.
/// </summary>
public static class SiloHostingExtensions
{
    /// <summary>True when configuration names a cluster to join (otherwise the silo runs alone on loopback).</summary>
    public static bool HasClusterConfiguration(this IConfiguration configuration) =>
        configuration.GetSection("Orleans:Clustering:ProviderType").Exists();

    public static TBuilder AddO2OSilo<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var configuration = builder.Configuration;
        builder.Services.AddO2OGrainOptions();
        var inMemory = StorageNames.All.Where(name => !configuration.GetSection($"Orleans:GrainStorage:{name}").Exists()).ToList();
        builder.Services.PostConfigure<StateWriteOptions>(o => o.WriteOnDeactivation.UnionWith(inMemory));
        builder.Services.AddO2OEventApplier();
        builder.Services.AddKeyedRedisConnections(configuration);
        builder.Services.AddKeyedTableConnections(configuration);
        configuration.NameTablesAfterStorage();
        builder.Services.AddHealthChecks()
            .AddCheck<ClusterMembershipHealthCheck>("orleans-cluster", tags: ["ready"])
            .AddOrleansBackendChecks(configuration)
            .AddIngestionCheck();
        // Membership timing (probe timeouts, missed probes, votes) can be tightened per environment,
        // e.g. Orleans__Membership__ProbeTimeout, so tests see a dead silo declared within seconds.
        builder.Services.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
        // How long an idle grain stays in memory, per class if needed: e.g.
        // Orleans__GrainCollection__ClassSpecificCollectionAge__O2O.Grains.Profiles.CustomerGrain=00:05:00.
        builder.Services.Configure<GrainCollectionOptions>(configuration.GetSection("Orleans:GrainCollection"));
        var alone = !configuration.HasClusterConfiguration();
        builder.UseOrleans(silo =>
        {
            // Grain calls join the trace of whatever made them (an HTTP request, a consumed event), when
            // traces are exported: otherwise the filters only cost, an async frame on every grain call.
            if (configuration.ExportsTraces())
            {
                silo.AddActivityPropagation();
            }
            // A failed call drops its activation, so a retry reloads what is stored (ETag included).
            silo.AddIncomingGrainCallFilter<DropActivationOnFailure>();
            if (!alone)
            {
                // At most one activation of a grain, also while silos join, die and restart: the default
                // directory is eventually consistent and lets a profile live twice for a moment, and two
                // copies of a profile apply a person's events apart and out of order. An embedded silo is
                // alone in its cluster, where the default directory is exact and costs no directory calls.
#pragma warning disable ORLEANSEXP003 // Orleans marks the strongly consistent directory as evaluation-only; the fault test runs on it.
                silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            }
            else
            {
                // Every grain lives here: a cache of where grains live would only hold memory (1.2 KB per
                // profile in the ingest benchmark).
                silo.Configure<GrainDirectoryOptions>(o => o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
                // Alone on loopback, on free ports so several embedded runs (and tests) can share a machine.
                silo.UseLocalhostClustering(
                    siloPort: configuration.GetValue<int?>("Orleans:Endpoints:SiloPort") ?? FreeTcpPort(),
                    gatewayPort: configuration.GetValue<int?>("Orleans:Endpoints:GatewayPort") ?? FreeTcpPort());
            }
            foreach (var name in inMemory)
            {
                // Alone, states can stay in this process; in a cluster, Orleans' memory storage keeps
                // them where every silo finds them.
                if (alone)
                {
                    silo.Services.AddGrainStorage(name, (services, _) => ActivatorUtilities.CreateInstance<ProcessGrainStorage>(services));
                }
                else
                {
                    silo.AddMemoryGrainStorage(name);
                }
            }
            if (!configuration.GetSection("Orleans:Reminders").Exists())
            {
                silo.UseInMemoryReminderService();
            }
        });
        builder.Services.EscapeTableKeys(configuration.TableStorageNames());
        builder.Services.BatchTableWrites(configuration);
        // Orleans' own binary format, versioned by the [Id] on every state member: smaller rows and far
        // less CPU than the default Newtonsoft JSON, which took 7% of the ingestion benchmark's CPU. Every
        // provider that is not given a SerializerKey (Orleans' Azure Table one included) takes this one.
        builder.Services.Replace(ServiceDescriptor.Singleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>());
        builder.AddEventHubsConsumer();
        // Journey grains send messages from whichever silo runs them.
        builder.AddO2OMessaging();
        return builder;
    }

    /// <summary>True when an OTLP endpoint is configured, the condition under which the service defaults trace.</summary>
    public static bool ExportsTraces(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
