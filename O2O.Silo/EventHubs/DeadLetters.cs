using System.Globalization;
using System.Text;
using Confluent.Kafka;
using O2O.Grains.Events;

namespace O2O.Silo.EventHubs;

/// <summary>One message on the dead-letter hub, described without its content (which names people).</summary>
public sealed record DeadLetter(
    int Partition,
    long Offset,
    DateTimeOffset At,
    string Reason,
    string? OriginalTopic,
    string? OriginalPosition,
    string? MessageId,
    string? Tenant,
    string? Type,
    int Bytes);

/// <summary>
/// Reads and replays the dead-letter hub. Replaying puts each dead letter back on the events hub
/// with its original key (so it joins its person's partition) and trace; the consumer then
/// applies it like any event, so once the cause is fixed the event counts, and only once: events
/// keep their message id, which profiles deduplicate, and a replay cursor (consumer group
/// <c>{ConsumerGroup}-replay</c>) makes a second replay skip what the first already sent.
/// </summary>
public sealed class DeadLetters(EventHubsOptions options)
{
    public const string ReplayedFromHeader = "o2o-replayed-from";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private string ReplayGroup => options.ConsumerGroup + "-replay";

    /// <summary>Every dead letter on the hub, oldest first per partition, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<DeadLetter> List(int max = 1_000)
    {
        using var consumer = Consumer("o2o-dlq-list-" + Guid.NewGuid().ToString("N"));
        var letters = new List<DeadLetter>();
        foreach (var message in ReadToEnd(consumer, fromCommitted: false))
        {
            letters.Add(Describe(message));
            if (letters.Count >= max)
            {
                break;
            }
        }
        return letters;
    }

    /// <summary>
    /// Sends every dead letter not replayed before back to the events hub; returns how many. With
    /// <paramref name="all"/> it starts again from the oldest (still harmless: message ids dedup).
    /// </summary>
    public int Replay(bool all = false)
    {
        using var consumer = Consumer(ReplayGroup);
        var config = new ProducerConfig { EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 };
        options.ParseConnection().ApplyTo(config);
        using var producer = new ProducerBuilder<string?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var sent = new List<TopicPartitionOffset>();
        foreach (var message in ReadToEnd(consumer, fromCommitted: !all))
        {
            var headers = new Headers
            {
                { ReplayedFromHeader, Encoding.UTF8.GetBytes($"{message.Partition.Value}@{message.Offset.Value}") },
            };
            if (message.Message.Headers?.TryGetLastBytes(EventJson.TraceParentHeader, out var trace) == true)
            {
                headers.Add(EventJson.TraceParentHeader, trace);
            }
            producer.Produce(options.Hub, new Message<string?, byte[]> { Key = message.Message.Key, Value = message.Message.Value, Headers = headers });
            sent.Add(new TopicPartitionOffset(message.TopicPartition, message.Offset + 1));
        }
        if (producer.Flush(TimeSpan.FromSeconds(30)) > 0)
        {
            throw new InvalidOperationException("The events hub did not acknowledge every replayed event; nothing was marked replayed. Run the replay again.");
        }
        // Only after the events hub holds them: a replay that fails half-way sends the rest again next time.
        var cursor = sent.GroupBy(s => s.TopicPartition).Select(g => g.MaxBy(s => s.Offset.Value)!).ToList();
        if (cursor.Count > 0)
        {
            consumer.Commit(cursor);
        }
        return sent.Count;
    }

    private IConsumer<string?, byte[]> Consumer(string group)
    {
        var config = new ConsumerConfig
        {
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            AllowAutoCreateTopics = false,
        };
        options.ParseConnection().ApplyTo(config);
        return new ConsumerBuilder<string?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>Every message up to each partition's end as it was when reading began.</summary>
    private IEnumerable<ConsumeResult<string?, byte[]>> ReadToEnd(IConsumer<string?, byte[]> consumer, bool fromCommitted)
    {
        using var admin = new AdminClientBuilder(Config()).Build();
        var metadata = admin.GetMetadata(options.DeadLetterHub, Wait);
        var partitions = metadata.Topics.SingleOrDefault(t => t.Topic == options.DeadLetterHub && !t.Error.IsError)?.Partitions
            .Select(p => new TopicPartition(options.DeadLetterHub, p.PartitionId)).ToList() ?? [];
        if (partitions.Count == 0)
        {
            yield break;
        }
        var committed = fromCommitted ? consumer.Committed(partitions, Wait).ToDictionary(c => c.TopicPartition, c => c.Offset) : [];
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, Wait));
        var open = partitions
            .Select(p => (Partition: p, Start: committed.TryGetValue(p, out var c) && !c.IsSpecial ? c.Value : ends[p].Low.Value, End: ends[p].High.Value))
            .Where(p => p.Start < p.End)
            .ToList();
        if (open.Count == 0)
        {
            yield break;
        }
        consumer.Assign(open.Select(p => new TopicPartitionOffset(p.Partition, new Offset(p.Start))));
        var remaining = open.ToDictionary(p => p.Partition, p => p.End);
        var deadline = DateTime.UtcNow + Wait * 3;
        while (remaining.Count > 0 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { Message: not null } result)
            {
                continue;
            }
            if (remaining.TryGetValue(result.TopicPartition, out var end))
            {
                if (result.Offset.Value >= end - 1)
                {
                    remaining.Remove(result.TopicPartition);
                }
                if (result.Offset.Value < end)
                {
                    yield return result;
                }
            }
        }
        if (remaining.Count > 0)
        {
            throw new TimeoutException("The dead-letter hub did not hand over every message in time; nothing after the last one read was replayed.");
        }
    }

    private AdminClientConfig Config()
    {
        var config = new AdminClientConfig();
        options.ParseConnection().ApplyTo(config);
        return config;
    }

    private static DeadLetter Describe(ConsumeResult<string?, byte[]> message)
    {
        string? Header(string name) => message.Message.Headers?.TryGetLastBytes(name, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
        var parsed = EventJson.TryDeserialize(message.Message.Value, out var e, out _) ? e : null;
        var partition = Header(EventHubsConsumer.OriginalPartitionHeader);
        var offset = Header(EventHubsConsumer.OriginalOffsetHeader);
        return new DeadLetter(
            message.Partition.Value,
            message.Offset.Value,
            message.Message.Timestamp.UtcDateTime,
            Header(EventHubsConsumer.DeadLetterReasonHeader) ?? "(no reason)",
            Header(EventHubsConsumer.OriginalTopicHeader),
            partition is null ? null : string.Create(CultureInfo.InvariantCulture, $"{partition}@{offset}"),
            parsed?.MessageId,
            parsed?.Tenant,
            parsed?.Type.ToString(),
            message.Message.Value?.Length ?? 0);
    }
}
