using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace O2O.Silo.EventHubs;

/// <summary>Ready when the event hub's Kafka endpoint answers with the hub's partitions.</summary>
public sealed class EventHubsHealthCheck : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly Lazy<IAdminClient> _admin;
    private readonly string _hub;

    public EventHubsHealthCheck(IOptions<EventHubsOptions> options)
    {
        var o = options.Value;
        _hub = o.Hub;
        _admin = new(() =>
        {
            var config = new AdminClientConfig { ClientId = "o2o-health" };
            o.ParseConnection().ApplyTo(config);
            return new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        });
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // librdkafka's metadata call blocks; keep it off the request thread.
        Task.Run(() =>
        {
            try
            {
                var metadata = _admin.Value.GetMetadata(_hub, Timeout);
                var topic = metadata.Topics.FirstOrDefault(t => t.Topic == _hub);
                return topic is { Error.IsError: false, Partitions.Count: > 0 }
                    ? HealthCheckResult.Healthy($"{topic.Partitions.Count} partitions on {metadata.Brokers.Count} broker(s)")
                    : HealthCheckResult.Unhealthy($"Event hub '{_hub}' has no partitions: {topic?.Error.Reason ?? "not found"}.");
            }
            catch (KafkaException ex)
            {
                return HealthCheckResult.Unhealthy("The Event Hubs Kafka endpoint did not answer.", ex);
            }
        }, cancellationToken);

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
