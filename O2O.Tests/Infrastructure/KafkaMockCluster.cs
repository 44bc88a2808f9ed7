using Confluent.Kafka;

[assembly: AssemblyFixture(typeof(O2O.Tests.Infrastructure.KafkaMockCluster))]

namespace O2O.Tests.Infrastructure;

/// <summary>
/// librdkafka's built-in mock Kafka cluster (three brokers on loopback ports), created once per test
/// run. It lives as long as the client that created it; its bootstrap list is read from metadata.
/// Topics are created on first use (the mock does not support CreateTopics), so each test takes
/// hub names of its own.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly IAdminClient _owner;

    public KafkaMockCluster()
    {
        var config = new AdminClientConfig();
        config.Set("test.mock.num.brokers", "3");
        config.Set("log_level", "3");
        _owner = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        var metadata = _owner.GetMetadata(TimeSpan.FromSeconds(30));
        metadata.Brokers.Count.ShouldBe(3, "the librdkafka mock cluster should start three brokers");
        BootstrapServers = string.Join(',', metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
    }

    /// <summary>The <c>host:port</c> list of the mock brokers, as <c>ConnectionStrings:eventhubs</c> takes it.</summary>
    public string BootstrapServers { get; }

    /// <summary>A hub (topic) name no other test uses.</summary>
    public static string NewHub(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(60, purpose.Length + 33)];

    /// <summary>How many messages the topic holds now, over all its partitions.</summary>
    public long Count(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = BootstrapServers, GroupId = "counter-" + Guid.NewGuid().ToString("N") })
            .SetLogHandler((_, _) => { }).Build();
        return _owner.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Sum(p =>
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10));
            return marks.High.Value - marks.Low.Value;
        });
    }

    /// <summary>Reads every message of a topic that arrives within <paramref name="wait"/>, until <paramref name="until"/> holds.</summary>
    public List<ConsumeResult<string?, byte[]>> ReadAll(string topic, Func<List<ConsumeResult<string?, byte[]>>, bool> until, TimeSpan wait)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            AllowAutoCreateTopics = true,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var read = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline && !until(read))
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: not null } result)
                {
                    read.Add(result);
                }
            }
            catch (ConsumeException)
            {
                // The topic may not exist yet.
            }
        }
        consumer.Close();
        return read;
    }

    public void Dispose() => _owner.Dispose();
}
