using System.Globalization;
using System.Text;
using Confluent.Kafka;
using O2O.Grains.Ingestion;
using O2O.Silo.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.EventHubs;

[Trait("Category", "Slow")]
public sealed class EventHubsConsumerTests(KafkaMockCluster kafka, ClusterFixture cluster)
{
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task OnePersonsInterleavedEventsAreAppliedInOrderAcrossPartitions()
    {
        await using var hub = new EventHubsHarness(kafka, cluster, "order");
        const int people = 30, steps = 20;
        var anonymousIds = Enumerable.Range(0, people).Select(p => $"o{p}-{Guid.NewGuid():N}").ToList();
        var at = _make.Now;
        // Step by step across everyone, so the hub sees every person's events interleaved with others'.
        var events = Enumerable.Range(0, steps)
            .SelectMany(step => anonymousIds.Select(a => _make.Page(a, $"/step/{step}") with { Timestamp = at }))
            .ToList();
        await hub.PublishAsync(events, batchSize: 64);

        await hub.StartConsumerAsync(batchSize: 50);

        await EventHubsHarness.UntilAsync(async () =>
        {
            foreach (var a in anonymousIds)
            {
                if ((await hub.ProfileAsync(_make.Tenant, a))?.Totals.PageViews != steps)
                {
                    return false;
                }
            }
            return true;
        }, "every page view applied");
        var expected = Enumerable.Range(0, steps).Select(s => $"/step/{s}").ToList();
        foreach (var a in anonymousIds)
        {
            var profile = await hub.ProfileAsync(_make.Tenant, a);
            // Same timestamps, so the timeline keeps the order events were applied in (newest first).
            profile!.Timeline.Select(t => t.Detail).Reverse().ShouldBe(expected);
        }
        // Where the messages landed, read back from the hub itself (the lag gauge only shows what a consumer owns right now).
        var onHub = kafka.ReadAll(hub.Hub, read => read.Count >= people * steps, TimeSpan.FromSeconds(30));
        onHub.Select(m => m.Partition.Value).Distinct().Count().ShouldBe(4, "the people should be spread over every partition of the hub");
    }

    [Fact]
    public async Task AConsumerThatCrashesMidStreamIsReplacedWithoutLosingOrDoublingAnEvent()
    {
        await using var hub = new EventHubsHarness(kafka, cluster, "crash");
        const int people = 40, views = 40;
        var anonymousIds = Enumerable.Range(0, people).Select(p => $"c{p}-{Guid.NewGuid():N}").ToList();
        await hub.PublishAsync(Enumerable.Range(0, views).SelectMany(v => anonymousIds.Select(a => _make.Page(a, $"/p/{v}"))));

        async Task<int> AppliedAsync()
        {
            var total = 0;
            foreach (var a in anonymousIds)
            {
                total += (await hub.ProfileAsync(_make.Tenant, a))?.Totals.PageViews ?? 0;
            }
            return total;
        }

        var first = await hub.StartConsumerAsync(batchSize: 5, commitInterval: TimeSpan.FromMilliseconds(100));
        await EventHubsHarness.UntilAsync(async () => await AppliedAsync() >= people * views / 4, "a quarter of the stream applied");
        first.Abort();
        await first.StopAsync(CancellationToken.None);

        var second = await hub.StartConsumerAsync(batchSize: 50);
        await EventHubsHarness.UntilAsync(async () => await AppliedAsync() >= people * views, "the rest applied by the new consumer");
        await EventHubsHarness.UntilAsync(() => Task.FromResult(
            Enumerable.Range(0, 4).All(p => ConsumerLag.Of(hub.Hub, p) == 0)), "the new consumer caught up");

        foreach (var a in anonymousIds)
        {
            (await hub.ProfileAsync(_make.Tenant, a))!.Totals.PageViews.ShouldBe(views);
        }
        await second.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AMalformedRecordGoesToTheDeadLetterHubAndItsPartitionKeepsFlowing()
    {
        await using var hub = new EventHubsHarness(kafka, cluster, "poison");
        var anonymousId = "poison-" + Guid.NewGuid().ToString("N");
        var garbage = Encoding.UTF8.GetBytes("{\"v\":1,\"event\":{\"messageId\":");
        await hub.PublishAsync([_make.Page(anonymousId, "/before")]);
        DeliveryResult<string, byte[]> poison;
        using (var raw = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            // Same key as the person's events, so it sits in the middle of their partition.
            poison = await raw.ProduceAsync(hub.Hub, new Message<string, byte[]> { Key = anonymousId, Value = garbage });
        }
        await hub.PublishAsync([_make.Page(anonymousId, "/after-1"), _make.Page(anonymousId, "/after-2")]);

        await hub.StartConsumerAsync();

        await EventHubsHarness.UntilAsync(async () => (await hub.ProfileAsync(_make.Tenant, anonymousId))?.Totals.PageViews == 3,
            "the events after the poison message applied");
        var dead = kafka.ReadAll(hub.DeadLetterHub, read => read.Count >= 1, TimeSpan.FromSeconds(30));
        dead.Count.ShouldBe(1);
        var letter = dead[0].Message;
        letter.Value.ShouldBe(garbage);
        Header(letter, EventHubsConsumer.DeadLetterReasonHeader).ShouldStartWith("unparseable: not a valid event envelope");
        Header(letter, EventHubsConsumer.OriginalTopicHeader).ShouldBe(hub.Hub);
        Header(letter, EventHubsConsumer.OriginalPartitionHeader).ShouldBe(poison.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Header(letter, EventHubsConsumer.OriginalOffsetHeader).ShouldBe(poison.Offset.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(typeof(ArgumentException), true)]
    [InlineData(typeof(FormatException), true)]
    [InlineData(typeof(TimeoutException), false)]
    [InlineData(typeof(InvalidOperationException), false)]
    public void OnlyContentErrorsAreDeadLetteredWithoutRetrying(Type error, bool permanent) =>
        ApplyPolicy.IsPermanent((Exception)Activator.CreateInstance(error)!).ShouldBe(permanent);

    [Fact]
    public async Task ATransientFailureHoldsThePartitionUntilItPassesThenEveryEventCountsOnceAndNothingIsDeadLettered()
    {
        await using var hub = new EventHubsHarness(kafka, cluster, "transient");
        const int people = 10, views = 5;
        var anonymousIds = Enumerable.Range(0, people).Select(p => $"t{p}-{Guid.NewGuid():N}").ToList();
        // Every profile call of this tenant fails for a while, as during a storage outage or a dead silo.
        GrainFaults.Fail(_make.Tenant, nameof(O2O.Grains.Profiles.ICustomerGrain.ApplyAsync), GrainFaults.When.BeforeCall, times: 150);
        await hub.PublishAsync(Enumerable.Range(0, views).SelectMany(v => anonymousIds.Select(a => _make.Page(a, $"/p/{v}"))));

        await hub.StartConsumerAsync(batchSize: 10);

        await EventHubsHarness.UntilAsync(() => Task.FromResult(hub.Health.Evaluate().Degraded), "health turning degraded while lanes retry");
        hub.Health.Evaluate().Description.ShouldContain("TimeoutException");
        await EventHubsHarness.UntilAsync(async () =>
        {
            foreach (var a in anonymousIds)
            {
                if ((await hub.ProfileAsync(_make.Tenant, a))?.Totals.PageViews != views)
                {
                    return false;
                }
            }
            return true;
        }, "every event applied once the failure passed");
        await EventHubsHarness.UntilAsync(() => Task.FromResult(!hub.Health.Evaluate().Degraded), "health recovering");
        kafka.Count(hub.DeadLetterHub).ShouldBe(0, "a transient failure dead-letters nothing");
    }

    private static string Header(Message<string?, byte[]> message, string name) =>
        Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));
}
