using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Grains;

/// <summary>
/// The tenant-wide index grains (due-wheel buckets, retention days) on a real test cluster with
/// small rows: concurrent adds share writes yet each returns only once its ids are stored, and a
/// set past a row's capacity spills into chained rows that the tick or the sweep walks to the end.
/// </summary>
[Collection(IndexCollection.Name)]
public sealed class IndexRowTests(IndexCluster cluster)
{
    private readonly string _tenant = ClusterFixture.NewTenant();

    [Fact]
    public async Task ConcurrentAddsShareWritesAndEachReturnsOnlyOnceStorageHoldsItsId()
    {
        var head = cluster.Grains.GetGrain<IDueWheelGrain>(DueWheel.Key(_tenant, WheelKind.Journeys, PastBucket()));
        var ids = Enumerable.Range(0, IndexCluster.RowCapacity).Select(i => $"p{i}").ToArray();

        await Task.WhenAll(ids.Select(async id =>
        {
            await head.AddAllAsync([id]);
            // Durable when acknowledged: the last write storage completed already lists this id.
            RecordingStorage.Of(head.GetGrainId())!.Ids.ShouldNotBeNull().ShouldContain(id);
        }));

        var row = RecordingStorage.Of(head.GetGrainId())!;
        row.Ids.ShouldBe(ids, ignoreOrder: true);
        row.Writes.ShouldBeLessThan(ids.Length, "adds arriving during a write or its spacing share the next write");
        row.Writes.ShouldBeGreaterThan(0);
        (await head.CountAsync()).ShouldBe(ids.Length);
        var key = DueWheel.Key(_tenant, WheelKind.Journeys, PastBucket());
        RecordingStorage.Of(cluster.Grains.GetGrain<IDueWheelGrain>(IndexChain.LinkKey(key, 1)).GetGrainId())
            .ShouldBeNull("a bucket within its capacity is one row: no link is written");
    }

    [Fact]
    public async Task ABucketPastItsRowCapacitySpillsIntoLinksAndTheTickWakesEveryMemberOnceAndClearsTheChain()
    {
        var bucket = PastBucket();
        var key = DueWheel.Key(_tenant, WheelKind.Journeys, bucket);
        var head = cluster.Grains.GetGrain<IDueWheelGrain>(key);
        var ids = Enumerable.Range(0, 37).Select(i => $"q{i}").ToArray();

        // Batches of different sizes at once, one of them delivered twice (a retried batch).
        var batches = ids.Chunk(4).Append(ids[..4]).ToArray();
        await Task.WhenAll(batches.Select(b => head.AddAllAsync(b)));

        (await head.CountAsync()).ShouldBe(ids.Length);
        var rows = Chain(key, IndexCluster.RowCapacity, ids.Length, n => cluster.Grains.GetGrain<IDueWheelGrain>(n).GetGrainId());
        rows.ShouldAllBe(r => r.Length <= IndexCluster.RowCapacity);
        rows.SelectMany(r => r).ShouldBe(ids, ignoreOrder: true, "every id stored in exactly one row of the chain");
        rows.Length.ShouldBeGreaterThan(1);

        var woken = await cluster.Grains.GetGrain<ITenantClockGrain>(_tenant).TickAsync();

        woken.ShouldBe(ids.Length, "each member of each row woken once");
        (await head.CountAsync()).ShouldBe(0);
        foreach (var n in Enumerable.Range(0, rows.Length))
        {
            var row = RecordingStorage.Of(cluster.Grains.GetGrain<IDueWheelGrain>(n == 0 ? key : IndexChain.LinkKey(key, n)).GetGrainId())!;
            row.Clears.ShouldBeGreaterThan(0, $"row {n} is deleted after the run");
            row.Ids.ShouldBeNull();
        }
        (await cluster.Grains.GetGrain<ITenantClockGrain>(_tenant).GetPendingAsync()).GetValueOrDefault(WheelKind.Journeys, []).ShouldNotContain(bucket);
    }

    [Fact]
    public async Task ARemovedMemberLeavesTheLinkItSpilledInto()
    {
        var key = DueWheel.Key(_tenant, WheelKind.Journeys, PastBucket() + 5);
        var head = cluster.Grains.GetGrain<IDueWheelGrain>(key);
        var ids = Enumerable.Range(0, IndexCluster.RowCapacity + 3).Select(i => $"r{i}").ToArray();
        await head.AddAllAsync(ids);

        await head.RemoveAsync(ids[^1]);

        // One-way: the removal reaches the link, and then its storage, a little later.
        var link = cluster.Grains.GetGrain<IDueWheelGrain>(IndexChain.LinkKey(key, 1)).GetGrainId();
        await Waits.UntilAsync(() => Task.FromResult(RecordingStorage.Of(link)?.Ids is { } stored && !stored.Contains(ids[^1])), "the link stored itself without the removed member");
        RecordingStorage.Of(link)!.Ids.ShouldBe(ids[IndexCluster.RowCapacity..^1], ignoreOrder: true);
        (await head.CountAsync()).ShouldBe(ids.Length - 1);
    }

    [Fact]
    public async Task ADayWithMoreNewVisitorsThanARowHoldsIsSweptToTheEndOfItsChain()
    {
        // Dated 14 months back, all on one day: past the 13 months anonymous profiles are kept.
        var longAgo = IndexCluster.Clock.GetUtcNow().AddDays(-430);
        var devices = Enumerable.Range(0, 23).Select(i => $"device-{i}").ToArray();
        var events = new EventMaker(_tenant, IndexCluster.Clock);
        await Task.WhenAll(devices.Chunk(8).Select(chunk => cluster.Applier.ApplyAsync([.. chunk.Select(d => events.Page(d, "/ao-dai") with { Timestamp = longAgo })])));
        var profiles = await Task.WhenAll(devices.Select(d =>
            cluster.Grains.Identity(IdentityKey.Of(_tenant, new Identifier(IdentifierKind.Anonymous, d), TestSecrets.Pseudonyms)).GetProfileAsync()));
        var dayKey = Retention.DayKey(_tenant, Retention.DayOf(longAgo));
        var day = cluster.Grains.GetGrain<IRetentionDayGrain>(dayKey);
        (await day.CountAsync()).ShouldBe(devices.Length);
        var rows = Chain(dayKey, IndexCluster.RowCapacity, devices.Length, n => cluster.Grains.GetGrain<IRetentionDayGrain>(n).GetGrainId());
        rows.SelectMany(r => r).ShouldBe(profiles!, ignoreOrder: true, "every new visitor listed in exactly one row");

        var expired = await cluster.Grains.GetGrain<IRetentionSweepGrain>(_tenant).SweepAsync();

        expired.ShouldBe(devices.Length, "each listed profile expired once");
        foreach (var id in profiles)
        {
            (await cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_tenant, id!)).GetAsync()).ShouldBeNull();
        }
        (await day.CountAsync()).ShouldBe(0);
        RecordingStorage.Of(day.GetGrainId())!.Ids.ShouldBe([], "the head is kept, empty, with its link count");
        foreach (var n in Enumerable.Range(1, rows.Length - 1))
        {
            RecordingStorage.Of(cluster.Grains.GetGrain<IRetentionDayGrain>(IndexChain.LinkKey(dayKey, n)).GetGrainId())!.Ids.ShouldBeNull($"link {n} is deleted after the sweep");
        }
    }

    /// <summary>The ids each row of a chain stored, head first, for as many rows as <paramref name="count"/> ids need at least.</summary>
    private static string[][] Chain(string headKey, int capacity, int count, Func<string, GrainId> grain)
    {
        var rows = new List<string[]>();
        for (var n = 0; ; n++)
        {
            var row = RecordingStorage.Of(grain(n == 0 ? headKey : IndexChain.LinkKey(headKey, n)));
            if (row?.Ids is not { Length: > 0 } ids)
            {
                (rows.Count * capacity).ShouldBeGreaterThanOrEqualTo(count, "the chain ends only once every id has a row");
                return [.. rows];
            }
            rows.Add(ids);
        }
    }

    /// <summary>A journeys bucket that started before now: the next tick runs it.</summary>
    private static long PastBucket() =>
        DueWheel.CurrentBucket(WheelKind.Journeys, IndexCluster.Clock.GetUtcNow(), TimeSpan.FromHours(7)) - 1;
}
