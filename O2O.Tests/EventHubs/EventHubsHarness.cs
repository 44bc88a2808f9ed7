using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using O2O.Api.EventHubs;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Profiles;
using O2O.Silo.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.EventHubs;

/// <summary>One test's hub on the mock cluster, with the real producer feed and consumers draining into the test cluster.</summary>
internal sealed class EventHubsHarness(KafkaMockCluster kafka, ClusterFixture cluster, string purpose) : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly List<EventHubsConsumer> _consumers = [];
    private KafkaEventFeed? _feed;

    public string Hub { get; } = KafkaMockCluster.NewHub(purpose);

    public string Group { get; } = "g-" + Guid.NewGuid().ToString("N")[..8];

    public string DeadLetterHub => Hub + "-dlq";

    /// <summary>What this harness's consumers report to <c>/health</c>; a lane retrying over a second counts as stuck.</summary>
    public IngestionHealth Health { get; } = new(PolicyOptions, TimeProvider.System);

    private static readonly IOptions<ApplyPolicyOptions> PolicyOptions = Microsoft.Extensions.Options.Options.Create(new ApplyPolicyOptions
    {
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        StuckAfter = TimeSpan.FromSeconds(1),
    });

    public KafkaEventFeed Feed => _feed ??= new KafkaEventFeed(Options(), TestSecrets.Pseudonyms, NullLogger<KafkaEventFeed>.Instance);

    public IOptions<EventHubsOptions> Options(int batchSize = 100, TimeSpan? commitInterval = null, TimeSpan? checkpointInterval = null) => Microsoft.Extensions.Options.Options.Create(new EventHubsOptions
    {
        CheckpointInterval = checkpointInterval ?? TimeSpan.Zero,
        ConnectionString = kafka.BootstrapServers,
        Hub = Hub,
        ConsumerGroup = Group,
        DeadLetterHub = DeadLetterHub,
        BatchSize = batchSize,
        CommitInterval = commitInterval ?? TimeSpan.FromMilliseconds(200),
    });

    /// <summary>
    /// Starts a group member and waits until it owns partitions. Batches are written through unless a
    /// <paramref name="checkpointInterval"/> is given: then profiles apply in memory and each partition checkpoints behind the hub.
    /// </summary>
    public async Task<EventHubsConsumer> StartConsumerAsync(int batchSize = 100, TimeSpan? commitInterval = null, TimeSpan? checkpointInterval = null)
    {
        var policy = new ApplyPolicy(cluster.Applier, Health, PolicyOptions, TimeProvider.System, NullLogger<ApplyPolicy>.Instance);
        var consumer = new EventHubsConsumer(policy, Health, Options(batchSize, commitInterval, checkpointInterval), TimeProvider.System, NullLogger<EventHubsConsumer>.Instance,
            new O2O.Grains.Ingestion.Checkpoints.GrainCheckpointer(cluster.Grains, cluster.Applier));
        _consumers.Add(consumer);
        await consumer.StartAsync(CancellationToken.None);
        await consumer.Assigned.WaitAsync(Limit);
        return consumer;
    }

    public async Task PublishAsync(IEnumerable<CustomerEvent> events, int batchSize = 100)
    {
        foreach (var chunk in events.Chunk(batchSize))
        {
            (await Feed.PublishAsync(chunk, CancellationToken.None)).Accepted.ShouldBeTrue();
        }
    }

    /// <summary>The profile that owns an anonymous id, or null while it has not been applied.</summary>
    public Task<ProfileView?> ProfileAsync(string tenant, string anonymousId) =>
        cluster.Grains.ProfileOfAsync(tenant, new Identifier(IdentifierKind.Anonymous, anonymousId), TestSecrets.Pseudonyms);

    /// <summary>Polls until the condition holds; the limit bounds a hang, it does not measure speed.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {Limit}");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var consumer in _consumers)
        {
            await consumer.StopAsync(CancellationToken.None);
            consumer.Dispose();
        }
        _feed?.Dispose();
    }
}
