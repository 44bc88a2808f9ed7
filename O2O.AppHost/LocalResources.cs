using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace O2O.AppHost;

/// <summary><c>redis-server</c> as an executable: the connection string is its loopback endpoint.</summary>
public sealed class RedisServerResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}

/// <summary>Azurite's table service as an executable (<c>npm install -g azurite</c>), in memory.</summary>
public sealed class AzuriteTablesResource(string name, string workingDirectory)
    : ExecutableResource(name, "azurite-table", workingDirectory), IResourceWithConnectionString
{
    /// <summary>Azurite's well-known development account key (public, the same on every machine).</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public EndpointReference Endpoint => new(this, "http");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};TableEndpoint=http://{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)}/devstoreaccount1;");
}

/// <summary>
/// The local stand-ins for the Azure services. Endpoints are not proxied: each server listens on the
/// port the orchestrator picked, passed on its command line; a TCP health check tells when it accepts.
/// </summary>
public static class LocalResources
{
    public static IResourceBuilder<RedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        var resource = new RedisServerResource(name, WorkingDirectory(name));
        return builder.AddResource(resource)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
                // Membership and reminders only; nothing to keep between runs.
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithTcpHealthCheck(builder, resource.Endpoint)
            .ExcludeFromManifest();
    }

    public static IResourceBuilder<AzuriteTablesResource> AddAzuriteTables(this IDistributedApplicationBuilder builder, string name)
    {
        var resource = new AzuriteTablesResource(name, WorkingDirectory(name));
        return builder.AddResource(resource)
            .WithEndpoint(name: "http", scheme: "http", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--tableHost");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--tablePort");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--inMemoryPersistence");
                context.Args.Add("--skipApiVersionCheck");
                context.Args.Add("--disableTelemetry");
            })
            .WithTcpHealthCheck(builder, resource.Endpoint)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// librdkafka's mock cluster (three brokers) created in this process, which it lives as long as; its
    /// bootstrap list becomes the <c>eventhubs</c> connection string, as a Kafka bootstrap list is one.
    /// Like a real hub it creates topics on first use; unlike one it keeps only ~5 MB per partition.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddKafkaMockCluster(this IDistributedApplicationBuilder builder, string name)
    {
        var config = new AdminClientConfig();
        config.Set("test.mock.num.brokers", "3");
        config.Set("log_level", "3");
        var owner = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        builder.Services.AddSingleton(owner);
        var metadata = owner.GetMetadata(TimeSpan.FromSeconds(30));
        var bootstrap = string.Join(',', metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
        return builder.AddConnectionString(name, ReferenceExpression.Create($"{bootstrap}"));
    }

    /// <summary>The resource as the connection string the services reference.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AsConnectionString<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString =>
        builder.ApplicationBuilder.CreateResourceBuilder<IResourceWithConnectionString>(builder.Resource);

    private static IResourceBuilder<T> WithTcpHealthCheck<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, EndpointReference endpoint)
        where T : IResource
    {
        var key = resource.Resource.Name + "-accepts";
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("No port yet.");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", endpoint.Port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy($"Nothing listens on port {endpoint.Port}.", ex);
            }
        });
        return resource.WithHealthCheck(key);
    }

    private static string WorkingDirectory(string name) => Directory.CreateTempSubdirectory("o2o-" + name + "-").FullName;
}
