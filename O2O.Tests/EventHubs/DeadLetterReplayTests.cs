using System.Text;
using Confluent.Kafka;
using O2O.Grains.Profiles;
using O2O.Silo.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.EventHubs;

/// <summary>
/// Dead letters can be listed (without their content) and, once their cause is fixed, replayed
/// onto the events hub, where they count once however often they are replayed.
/// </summary>
public sealed class DeadLetterReplayTests(KafkaMockCluster kafka, ClusterFixture cluster)
{
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task RefusedEventsReplayedAfterAFixCountOnceHoweverOftenTheyAreReplayed()
    {
        await using var hub = new EventHubsHarness(kafka, cluster, "replay");
        var people = Enumerable.Range(0, 3).Select(i => $"r{i}-{Guid.NewGuid():N}").ToList();
        // A bug refuses this tenant's events for good: they go to the dead letters.
        GrainFaults.Fail(_make.Tenant, nameof(ICustomerGrain.ApplyAsync), GrainFaults.When.BeforeCall, times: 10_000, refuse: true);
        await hub.PublishAsync(people.Select(p => _make.Page(p, "/khuyen-mai")));
        using (var raw = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            await raw.ProduceAsync(hub.Hub, new Message<string, byte[]> { Key = "garbage", Value = Encoding.UTF8.GetBytes("not json") });
        }
        await hub.StartConsumerAsync();
        var letters = new DeadLetters(hub.Options().Value);
        await EventHubsHarness.UntilAsync(() => Task.FromResult(letters.List().Count == 4), "four dead letters");

        var listed = letters.List();
        listed.Count(l => l.Reason.StartsWith("rejected: ArgumentException", StringComparison.Ordinal)).ShouldBe(3);
        listed.Count(l => l.Reason.StartsWith("unparseable", StringComparison.Ordinal)).ShouldBe(1);
        listed.Where(l => l.Tenant == _make.Tenant).Select(l => l.Type).ShouldAllBe(t => t == "Page");

        // The fix ships; the dead letters are replayed.
        GrainFaults.Clear(_make.Tenant, nameof(ICustomerGrain.ApplyAsync));
        letters.Replay().ShouldBe(4);
        await UntilEveryoneHasAsync(hub, people, pageViews: 1);
        // The garbage is still garbage: it comes back as a dead letter, and only it.
        await EventHubsHarness.UntilAsync(() => Task.FromResult(letters.List().Count == 5), "the unparseable record dead-lettered again");

        letters.Replay().ShouldBe(1, "a second replay sends only what was dead-lettered since the first");
        letters.Replay(all: true).ShouldBeGreaterThanOrEqualTo(5);
        await EventHubsHarness.UntilAsync(() => Task.FromResult(letters.List().Count >= 7), "both replays of the garbage dead-lettered again");
        await EventHubsHarness.UntilAsync(() => Task.FromResult(Enumerable.Range(0, 4).All(p => ConsumerLag.Of(hub.Hub, p) is null or 0)), "the consumer caught up");
        await UntilEveryoneHasAsync(hub, people, pageViews: 1);
        foreach (var p in people)
        {
            (await hub.ProfileAsync(_make.Tenant, p))!.Totals.PageViews.ShouldBe(1, "replays count once");
        }
    }

    private async Task UntilEveryoneHasAsync(EventHubsHarness hub, List<string> people, int pageViews) =>
        await EventHubsHarness.UntilAsync(async () =>
        {
            foreach (var p in people)
            {
                if ((await hub.ProfileAsync(_make.Tenant, p))?.Totals.PageViews != pageViews)
                {
                    return false;
                }
            }
            return true;
        }, "every replayed event applied");
}
