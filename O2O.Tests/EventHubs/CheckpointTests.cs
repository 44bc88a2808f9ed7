using Azure.Data.Tables;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using O2O.Api.EventHubs;
using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Ingestion.Checkpoints;
using O2O.Grains.Profiles;
using O2O.Silo.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.EventHubs;

/// <summary>The rules by which a partition's checkpoint claims, delivers and forgets what profiles owe.</summary>
public sealed class CheckpointRuleTests
{
    private static OwedDelivery Owed(string id, string? source = null, long offset = 0, string? attempt = null) => new()
    {
        Id = id,
        Funnel = [new FunnelDelta("c:fb", FunnelStage.None, FunnelStage.Visited, null, FunnelStage.None)],
        LatestEventAt = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.FromHours(7)),
        CheckpointSource = source,
        CheckpointOffset = offset,
        CheckpointAttempt = attempt,
    };

    [Fact]
    public void ACheckpointClaimsUnclaimedChangesForgetsWhatItsPartitionCommittedAndLeavesOtherPartitionsClaims()
    {
        var outbox = new List<OwedDelivery>
        {
            Owed("p#1", "hub/0", 100, "a1"),   // delivered: partition 0 has committed 150
            Owed("p#2", "hub/0", 200, "a2"),   // claimed by a checkpoint that never committed (a crash)
            Owed("p#3", "hub/1", 50, "b1"),    // partition 1's to deliver
            Owed("p#4"),                       // new, or written when the activation ended
        };

        var (mustWrite, deliver) = CheckpointOutbox.Prepare(outbox, new ProfileFlush(Guid.NewGuid(), "hub/0", 300, 150, "a3"));

        mustWrite.ShouldBeTrue("a claim must be stored before its change is delivered");
        outbox.Select(o => o.Id).ShouldBe(["p#2", "p#3", "p#4"]);
        deliver.Select(o => o.Id).ShouldBe(["p#2", "p#4"]);
        outbox.Single(o => o.Id == "p#4").ShouldSatisfyAllConditions(
            o => o.CheckpointSource.ShouldBe("hub/0"),
            o => o.CheckpointOffset.ShouldBe(300),
            o => o.CheckpointAttempt.ShouldBe("a3"));
        CheckpointOutbox.Unclaimed(outbox).ShouldBeEmpty();
    }

    [Fact]
    public void AnAttemptsChangesArriveAsOneDeliveryAndAChangeDeliveredAgainIsSkippedWhereItsGroupArrived()
    {
        var owed = new List<(string, OwedDelivery)>
        {
            ("t", Owed("t/p1#1", "hub/0", 300, "now")),
            ("t", Owed("t/p2#7", "hub/0", 300, "now")),
            ("t", Owed("t/p3#2", "hub/0", 200, "crashed")),
        };

        var grouped = GrainCheckpointer.Group(owed, "now");

        grouped.Count.ShouldBe(2);
        var merged = grouped[0].Item2;
        merged.Id.ShouldBe("cp:now:t:2026-11-27");
        merged.Funnel.Count.ShouldBe(2);
        var again = grouped[1].Item2;
        again.Id.ShouldBe("cp:crashed:t:2026-11-27|t/p3#2");

        var reached = new DeliveryLog();
        reached.TryRecord("cp:crashed:t:2026-11-27").ShouldBeTrue();
        reached.TryRecord(again.Id).ShouldBeFalse("the crashed attempt's group arrived whole at this aggregate");
        var missed = new DeliveryLog();
        missed.TryRecord(again.Id).ShouldBeTrue("the crashed attempt never reached this aggregate");
        missed.TryRecord(again.Id).ShouldBeFalse();
    }

    [Fact]
    public void SegmentMovesWheelEntriesAndJourneyResponsesLeaveTheMergeUnderTheirOwnIdsForTheirOwnPerson()
    {
        var moves = new O2O.Grains.Segments.SegmentChange("p1", 0, O2O.Grains.Segments.Segment.Potential, DateTimeOffset.UnixEpoch);
        var response = new O2O.Grains.Journeys.NurtureSignal(O2O.Grains.Journeys.Response.VisitedStore, DateTimeOffset.UnixEpoch, 0);
        var owed = new List<(string, OwedDelivery)>
        {
            ("t", Owed("t/p1#1", "hub/0", 300, "now") with { Segments = moves, DueBucket = 20_500 }),
            ("t", Owed("t/p2#4", "hub/0", 200, "crashed") with { Nurture = [response] }),
        };

        var grouped = GrainCheckpointer.Group(owed, "now");

        grouped.Select(g => g.Item2.Id).ShouldBe(["cp:now:t:2026-11-27", "cp:crashed:t:2026-11-27|t/p2#4", "t/p1#1", "t/p2#4"]);
        grouped[0].Item2.ShouldSatisfyAllConditions(
            d => d.Funnel.Count.ShouldBe(1),
            d => d.Segments.ShouldBeNull(),
            d => d.DueBucket.ShouldBeNull());
        grouped[1].Item2.Nurture.ShouldBeEmpty("the journey response goes to the person under the change's own id");
        grouped[2].Item2.ShouldSatisfyAllConditions(
            d => d.Segments.ShouldBe(moves),
            d => d.DueBucket.ShouldBe(20_500),
            d => d.Funnel.ShouldBeEmpty(),
            d => d.ProfileKey.ShouldBe("t/p1"));
        grouped[3].Item2.ShouldSatisfyAllConditions(
            d => d.Nurture.ShouldBe([response]),
            d => d.ProfileKey.ShouldBe("t/p2"));
    }
}

/// <summary>How a partition's checkpoint scope guards a person's order once a checkpoint found changes lost.</summary>
public sealed class CheckpointScopeTests(ClusterFixture cluster)
{
    [Fact]
    public async Task OnceACheckpointFindsChangesLostNoLaterBatchAppliesUntilThePartitionReplaysWithANewScope()
    {
        var make = new EventMaker(ClusterFixture.NewTenant());
        var applier = new EventApplier(cluster.Grains, new IdentityResolver(cluster.Grains, TestSecrets.Pseudonyms), TimeProvider.System);
        string[] people = [$"gone-{Guid.NewGuid():N}", $"other-{Guid.NewGuid():N}"];
        var scope = new CheckpointScope();
        await applier.ApplyAsync([.. people.Select(p => make.Page(p, "/first"))], scope);

        // The checkpoint sees the first person under an activation that is not the one that applied
        // the page (as when its silo died before writing it): lost, so the partition must replay.
        var gone = await KeyOfAsync(make.Tenant, people[0]);
        scope.Touched(gone, Guid.NewGuid());
        var checkpointer = new GrainCheckpointer(cluster.Grains, applier);
        (await checkpointer.CheckpointAsync(scope, "hub/0", watermark: 2, committed: -1)).ShouldBe(CheckpointOutcome.Lost);

        // Until the replay, a person's later events would land before the earlier ones the replay
        // brings back: every batch is refused, whoever it is for.
        scope.ActivationOf(gone).ShouldBe(CheckpointScope.Conflicting);
        scope.ActivationOf(await KeyOfAsync(make.Tenant, people[1])).ShouldBe(CheckpointScope.Conflicting);
        var (applied, _) = await applier.ApplyAsync([.. people.Select(p => make.Page(p, "/second"))], scope);
        applied.ShouldBe(0);
        foreach (var p in people)
        {
            (await ProfileAsync(make.Tenant, p)).Totals.PageViews.ShouldBe(1, p);
        }

        // The replay starts with a new scope, and the batches apply again.
        (await applier.ApplyAsync([.. people.Select(p => make.Page(p, "/second"))], new CheckpointScope())).Applied.ShouldBe(2);
    }

    private async Task<string> KeyOfAsync(string tenant, string anonymousId)
    {
        var id = await cluster.Grains.Identity(IdentityKey.Of(tenant, new Identifier(IdentifierKind.Anonymous, anonymousId), TestSecrets.Pseudonyms)).GetProfileAsync();
        return TenantKey.Compose(tenant, id.ShouldNotBeNull());
    }

    private async Task<ProfileView> ProfileAsync(string tenant, string anonymousId) =>
        (await cluster.Grains.GetGrain<ICustomerGrain>(await KeyOfAsync(tenant, anonymousId)).GetAsync()).ShouldNotBeNull();
}

/// <summary>
/// The Event Hubs path checkpointed behind the hub: profiles apply in memory, and a partition's offset
/// is committed only after every profile touched before it has written and delivered what it owes.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CheckpointTests(KafkaMockCluster kafka, ClusterFixture cluster, AzuriteFixture azurite, RedisFixture redis)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task NothingIsCommittedBeforeTheCheckpointAndAConsumerCrashBeforeItReplaysEveryEventOnce()
    {
        var make = new EventMaker(ClusterFixture.NewTenant());
        await using var hub = new EventHubsHarness(kafka, cluster, "checkpoint");
        const int people = 30, views = 10;
        var campaign = "cp_" + Guid.NewGuid().ToString("N")[..8];
        var anonymousIds = Enumerable.Range(0, people).Select(p => $"k{p}-{Guid.NewGuid():N}").ToList();
        await hub.PublishAsync(Rounds(make, anonymousIds, views, campaign));

        // A checkpoint far away: everything is applied in memory and nothing may be committed.
        var first = await hub.StartConsumerAsync(batchSize: 20, checkpointInterval: TimeSpan.FromMinutes(10));
        await EventHubsHarness.UntilAsync(async () => await PageViewsAsync(hub, make.Tenant, anonymousIds) == people * views, "every event applied in memory");
        CommittedOffsets(hub).ShouldAllBe(o => o < 0, "no offset may be committed before its checkpoint stored the profiles");
        first.Abort();
        await first.StopAsync(CancellationToken.None);

        var second = await hub.StartConsumerAsync(batchSize: 20, checkpointInterval: TimeSpan.FromMilliseconds(300));
        var published = (long)people * views;
        await EventHubsHarness.UntilAsync(() => Task.FromResult(CommittedOffsets(hub).Sum(o => Math.Max(0, o)) == published), "the replay checkpointed and committed");
        await second.StopAsync(CancellationToken.None);

        foreach (var a in anonymousIds)
        {
            (await hub.ProfileAsync(make.Tenant, a))!.Totals.PageViews.ShouldBe(views, "replayed events count once");
        }
        var report = await cluster.Grains.GetGrain<ICampaignGrain>(TenantKey.Compose(make.Tenant, campaign)).GetReportAsync();
        report.Total.Steps[0].Reached.ShouldBe(people, "the campaign counts each person once after the replay");
    }

    [Fact]
    public async Task ASiloKilledBeforeTheCheckpointWroteItsProfilesIsReplayedFromTheCommittedOffsetAndEveryEventCountsOnce()
    {
        var clusterId = "checkpoint-" + Guid.NewGuid().ToString("N")[..8];
        var silos = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString)));
        EventHubsConsumer? consumer = null;
        try
        {
            using var client = await SiloProcess.StartClientAsync(clusterId, redis.ConnectionString);
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var resolver = new IdentityResolver(grains, TestSecrets.Pseudonyms);
            var applier = new EventApplier(grains, resolver, TimeProvider.System);
            var make = new EventMaker(ClusterFixture.NewTenant());
            var hubName = KafkaMockCluster.NewHub("silo-kill");
            var options = Options.Create(new EventHubsOptions
            {
                ConnectionString = kafka.BootstrapServers,
                Hub = hubName,
                ConsumerGroup = "g-" + Guid.NewGuid().ToString("N")[..8],
                DeadLetterHub = hubName + "-dlq",
                BatchSize = 50,
                CommitInterval = TimeSpan.FromMilliseconds(200),
                CheckpointInterval = TimeSpan.FromSeconds(40),
            });
            const int people = 60, views = 10;
            var campaign = "kill_" + Guid.NewGuid().ToString("N")[..8];
            var anonymousIds = Enumerable.Range(0, people).Select(p => $"s{p}-{Guid.NewGuid():N}").ToList();
            var rounds = Rounds(make, anonymousIds, views, campaign);
            using var feed = new KafkaEventFeed(options, TestSecrets.Pseudonyms, NullLogger<KafkaEventFeed>.Instance);
            foreach (var chunk in rounds.Take(people * 3).Chunk(60))
            {
                (await feed.PublishAsync(chunk, CancellationToken.None)).Accepted.ShouldBeTrue();
            }

            var health = new IngestionHealth(Options.Create(new ApplyPolicyOptions()), TimeProvider.System);
            var policy = new ApplyPolicy(applier, health, Options.Create(new ApplyPolicyOptions { RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromSeconds(1) }),
                TimeProvider.System, NullLogger<ApplyPolicy>.Instance);
            consumer = new EventHubsConsumer(policy, health, options, TimeProvider.System, NullLogger<EventHubsConsumer>.Instance, new GrainCheckpointer(grains, applier));
            await consumer.StartAsync(CancellationToken.None);
            await consumer.Assigned.WaitAsync(Limit);

            async Task<List<(string Key, int Views)>> ProfilesAsync()
            {
                var found = new List<(string, int)>();
                foreach (var a in anonymousIds)
                {
                    var id = await grains.Identity(IdentityKey.Of(make.Tenant, new Identifier(IdentifierKind.Anonymous, a), TestSecrets.Pseudonyms)).GetProfileAsync();
                    var view = id is null ? null : await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(make.Tenant, id)).GetAsync();
                    found.Add((id is null ? "" : TenantKey.Compose(make.Tenant, id), view?.Totals.PageViews ?? 0));
                }
                return found;
            }
            await UntilAsync(async () => (await ProfilesAsync()).All(p => p.Views == 3), "three rounds applied in memory");
            var profiles = await ProfilesAsync();

            // Before the first checkpoint: the profiles exist only in their activations, not in Table storage.
            (await StoredProfileRowsAsync(profiles.Select(p => p.Key))).ShouldBe(0, "nothing is written before the checkpoint");
            var management = grains.GetGrain<IManagementGrain>(0);
            var homes = new Dictionary<string, SiloAddress?>();
            foreach (var (key, _) in profiles)
            {
                homes[key] = await management.GetActivationAddress(grains.GetGrain<ICustomerGrain>(key));
            }
            var victimAddress = homes.Values.OfType<SiloAddress>().GroupBy(a => a).MaxBy(g => g.Count())!.Key;
            homes.Values.Count(h => h == victimAddress).ShouldBeGreaterThan(0);
            silos.Single(s => s.SiloPort == victimAddress.Endpoint.Port).Kill();

            // The later rounds end with each person's store visit, which earns the campaign its credit only
            // if the person's ad click (round 0, lost with the silo) is applied before it.
            var visits = anonymousIds.Select(a => make.Make(EventType.CheckIn, a) with { StoreId = "KILL01", CheckInMethod = CheckInMethod.Qr });
            foreach (var chunk in rounds.Skip(people * 3).Concat(visits).Chunk(60))
            {
                (await feed.PublishAsync(chunk, CancellationToken.None)).Accepted.ShouldBeTrue();
            }
            // The checkpoint finds the killed silo's profiles under new activations without the first rounds,
            // replays the partition from its committed offset, and every profile ends with every view once.
            await UntilAsync(async () => (await ProfilesAsync()).All(p => p.Views == views), "every round applied after the replay");
            await consumer.StopAsync(CancellationToken.None);

            foreach (var (key, pageViews) in await ProfilesAsync())
            {
                pageViews.ShouldBe(views, $"profile {key}");
            }
            (await StoredProfileRowsAsync(profiles.Select(p => p.Key))).ShouldBe(people, "the last checkpoint wrote every profile");
            var report = await grains.GetGrain<ICampaignGrain>(TenantKey.Compose(make.Tenant, campaign)).GetReportAsync();
            report.Total.Steps[0].Reached.ShouldBe(people, "the campaign counts each person once");
            // Each person's events applied in the order they happened, replay or not: every visit credits the ad click.
            var day = await grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(make.Tenant, ReportCalendar.DayOf(make.Now)))
                .GetAsync(AttributionModel.LastTouch, TouchDimension.Campaign);
            day.Credit.Single(c => c.Key == campaign).VisitCredit.ShouldBe(people * 1_000_000L, "every visit credited to the campaign once");
        }
        finally
        {
            consumer?.Dispose();
            foreach (var silo in silos)
            {
                silo.Dispose();
            }
        }
    }

    /// <summary>Polls until the probe holds; a probe that fails (a grain on a dead silo) counts as not yet. The limit bounds a hang, it measures nothing.</summary>
    private static async Task UntilAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            try
            {
                if (await probe())
                {
                    return;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // The cluster has not noticed the dead silo yet.
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Not true within {Limit}: {what}.");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Round by round, every person's next page view: each batch holds one event each of many people. The first carries the campaign.</summary>
    private static List<CustomerEvent> Rounds(EventMaker make, List<string> anonymousIds, int views, string campaign) =>
        [.. Enumerable.Range(0, views).SelectMany(v => anonymousIds.Select(a =>
            make.Page(a, $"/p/{v}", v == 0 ? new AdTouch { Source = "facebook", Medium = "paid_social", Campaign = campaign } : null)))];

    private static async Task<int> PageViewsAsync(EventHubsHarness hub, string tenant, List<string> anonymousIds)
    {
        var total = 0;
        foreach (var a in anonymousIds)
        {
            total += (await hub.ProfileAsync(tenant, a))?.Totals.PageViews ?? 0;
        }
        return total;
    }

    /// <summary>The group's committed offset of each partition of the hub; negative where none is committed.</summary>
    private long[] CommittedOffsets(EventHubsHarness hub)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
        var partitions = admin.GetMetadata(hub.Hub, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(hub.Hub, p.PartitionId)).ToList();
        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = hub.Group }).SetLogHandler((_, _) => { }).Build();
        return [.. reader.Committed(partitions, TimeSpan.FromSeconds(10)).Select(o => o.Offset.Value)];
    }

    private async Task<int> StoredProfileRowsAsync(IEnumerable<string> profileKeys)
    {
        var wanted = profileKeys.Select(k => O2O.Silo.Hosting.BatchedTableStorage.RowKey("profile", GrainId.Create("customer", k))).ToHashSet(StringComparer.Ordinal);
        var rows = 0;
        await foreach (var entity in azurite.Tables.GetTableClient(StorageNames.Profiles).QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            if (wanted.Contains(entity.RowKey))
            {
                rows++;
            }
        }
        return rows;
    }
}
