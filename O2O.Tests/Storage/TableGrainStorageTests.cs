using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using O2O.Grains.Profiles;
using O2O.Silo.Hosting;
using O2O.Tests.Infrastructure;
using Orleans.Storage;

namespace O2O.Tests.Storage;

/// <summary>
/// Orleans' Azure Table grain storage, as the silo wires it from the AppHost's keys, against a real
/// Azurite: the guarantees the grains rely on (optimistic concurrency, size, keys, clearing, format).
/// </summary>
[Trait("Category", "Slow")]
public sealed class TableGrainStorageTests(TableStorageSilo silo, AzuriteFixture azurite) : IClassFixture<TableStorageSilo>
{
    private static readonly GrainType CustomerType = GrainType.Create("customer");

    private IGrainStorage Profiles => silo.Storage("profiles");

    private BatchedTableStorage Batched => silo.Storage("profiles").ShouldBeOfType<BatchedTableStorage>();

    [Fact]
    public async Task WrittenStateReadsBackAndClearRemovesIt()
    {
        var id = NewId();
        var written = new GrainState<ProfileState> { State = Profile(name: "Nguyễn Thị Hương", events: 7) };

        await Profiles.WriteStateAsync("profile", id, written);
        var read = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, read);

        read.RecordExists.ShouldBeTrue();
        read.ETag.ShouldBe(written.ETag);
        read.State!.DisplayName.ShouldBe("Nguyễn Thị Hương");
        read.State!.Totals.Events.ShouldBe(7);

        await Profiles.ClearStateAsync("profile", id, read);
        var afterClear = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, afterClear);
        afterClear.RecordExists.ShouldBeFalse();
        afterClear.State!.Totals.Events.ShouldBe(0);
    }

    [Fact]
    public async Task StateIsStoredInOrleansBinaryFormatInTheTableOfItsStorageName()
    {
        var id = NewId();
        await Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(name: "Trần Văn Bình", events: 3) });

        var rows = new List<TableEntity>();
        await foreach (var row in azurite.Tables.GetTableClient("profiles").QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(TableStorageSilo.ServiceId) >= 0))
        {
            rows.Add(row);
        }
        var mine = rows.Where(r => r.RowKey.StartsWith(TableKeyEscaping.EscapeKey(id.ToString()), StringComparison.Ordinal)).ShouldHaveSingleItem();
        mine.PartitionKey.ShouldStartWith(TableStorageSilo.ServiceId + "~", Case.Sensitive, "a row's partition is one of the service's buckets, so rows written together share a transaction");
        mine.Keys.ShouldNotContain("StringData", "Newtonsoft JSON with CLR type names is the provider's default; the silo picks Orleans' binary serializer");
        var data = mine.GetBinary("Data");
        data.ShouldNotBeNull();
        data[0].ShouldNotBe((byte)'{');
    }

    [Fact]
    public async Task WriteWithStaleETagRaisesInconsistentStateException()
    {
        var id = NewId();
        await Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 1) });
        var first = new GrainState<ProfileState>();
        var second = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, first);
        await Profiles.ReadStateAsync("profile", id, second);

        first.State!.Totals.Events = 2;
        await Profiles.WriteStateAsync("profile", id, first);
        second.State!.Totals.Events = 3;

        await Should.ThrowAsync<InconsistentStateException>(() => Profiles.WriteStateAsync("profile", id, second));
        var stored = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, stored);
        stored.State!.Totals.Events.ShouldBe(2);
    }

    [Fact]
    public async Task SecondFirstWriteRaisesInconsistentStateException()
    {
        var id = NewId();
        await Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 1) });

        await Should.ThrowAsync<InconsistentStateException>(() =>
            Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 9) }));
    }

    [Fact]
    public async Task ClearWithStaleETagRaisesInconsistentStateException()
    {
        var id = NewId();
        var stale = new GrainState<ProfileState> { State = Profile(events: 1) };
        await Profiles.WriteStateAsync("profile", id, stale);
        var fresh = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, fresh);
        await Profiles.WriteStateAsync("profile", id, fresh);

        await Should.ThrowAsync<InconsistentStateException>(() => Profiles.ClearStateAsync("profile", id, stale));
    }

    [Fact]
    public async Task StateUpToTheRowLimitRoundTripsAndALargerOneIsRefusedKeepingTheStoredState()
    {
        var id = NewId();
        var big = RandomText(800 * 1024);
        var state = new GrainState<ProfileState> { State = Profile(events: 1) };
        state.State!.Traits["notes"] = big;

        await Profiles.WriteStateAsync("profile", id, state);
        var read = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, read);
        read.State!.Traits["notes"].ShouldBe(big);

        // A Table row holds about 1 MB; the provider refuses more rather than losing part of it.
        read.State.Traits["notes"] = RandomText(2 * 1024 * 1024);
        read.State.Totals.Events = 2;
        await Should.ThrowAsync<Exception>(() => Profiles.WriteStateAsync("profile", id, read));
        var stored = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, stored);
        stored.State!.Totals.Events.ShouldBe(1);
        stored.State.Traits["notes"].ShouldBe(big);
    }

    [Theory]
    [InlineData("tenant-a/p/1")]
    [InlineData("tenant-a\\p#2?x")]
    [InlineData("tenant-a/Nguyễn Văn Đức – Hà Nội")]
    [InlineData("tenant-a/~2F%20\u0001\u007F\u0085tab\tend")]
    public async Task KeysWithForbiddenAndVietnameseCharactersWork(string key)
    {
        var id = GrainId.Create(CustomerType, key + "/" + Guid.NewGuid().ToString("N"));
        var state = new GrainState<ProfileState> { State = Profile(name: key, events: 3) };

        await Profiles.WriteStateAsync("profile", id, state);
        var read = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", id, read);

        read.RecordExists.ShouldBeTrue();
        read.State!.DisplayName.ShouldBe(key);
    }

    [Fact]
    public async Task KeysThatDifferOnlyInForbiddenCharactersStayApart()
    {
        var suffix = Guid.NewGuid().ToString("N");
        string[] keys = ["a/b", "a\\b", "a#b", "a?b", "a_b", "a~2Fb", "a%2Fb"];
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            await Profiles.WriteStateAsync("profile", GrainId.Create(CustomerType, key + suffix), new GrainState<ProfileState> { State = Profile(events: i + 1) });
        }
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            var read = new GrainState<ProfileState>();
            await Profiles.ReadStateAsync("profile", GrainId.Create(CustomerType, key + suffix), read);
            read.State!.Totals.Events.ShouldBe(i + 1);
        }
    }

    [Fact]
    public async Task AnIndexRowAtItsDefaultCapacityFitsARowAndOneAtTheBoundWouldNotIsWhyItChains()
    {
        // Profile ids as the resolver makes them: "p_" and 24 hex digits.
        static O2O.Grains.Segments.DueWheelState Wheel(int ids) => new()
        {
            Members = new(Enumerable.Range(0, ids).Select(_ => "p_" + Guid.NewGuid().ToString("N")[..24]), StringComparer.Ordinal),
            Registered = true,
        };
        var campaigns = silo.Storage("campaigns");
        var id = GrainId.Create(GrainType.Create("duewheel"), "tenant-a/1/" + Random.Shared.Next());
        var full = new GrainState<O2O.Grains.Segments.DueWheelState> { State = Wheel(new O2O.Grains.IndexOptions().RowCapacity) };

        await campaigns.WriteStateAsync("due-wheel", id, full);
        var read = new GrainState<O2O.Grains.Segments.DueWheelState>();
        await campaigns.ReadStateAsync("due-wheel", id, read);
        read.State!.Members.SetEquals(full.State.Members).ShouldBeTrue();

        // Twice the default (a day bucket of a million profiles holds ~25,000, 4 million ~100,000) is refused: hence links.
        read.State = Wheel(2 * new O2O.Grains.IndexOptions().RowCapacity);
        await Should.ThrowAsync<Exception>(() => campaigns.WriteStateAsync("due-wheel", id, read));
    }

    [Fact]
    public async Task WritesThatArriveTogetherGoOutInFewRequestsAndEachReadsBack()
    {
        var table = "batched" + Guid.NewGuid().ToString("N")[..12];
        var storage = await StorageOnAsync(table);
        var ids = Enumerable.Range(0, 400).Select(_ => NewId()).ToList();
        using var counted = new StorageOperations(table);

        await Task.WhenAll(ids.Select((id, i) => storage.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: i + 1) })));

        counted.Writes(table).ShouldBe(400);
        counted.WriteRequests(table).ShouldBeLessThan(200,
            $"{BatchedTableStorage.Buckets} buckets each send one request at a time, so writes that wait for it go out together");
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var read = new GrainState<ProfileState>();
            await storage.ReadStateAsync("profile", id, read);
            read.State!.Totals.Events.ShouldBe(i + 1);
        }
    }

    [Fact]
    public async Task AStaleWriteInATransactionFailsAloneAndItsNeighboursAreStored()
    {
        // Ids in one bucket, so they share transactions; the stale one among them.
        var bucket = Batched.Keys("profile", NewId()).Bucket;
        var ids = Enumerable.Range(0, 5_000).Select(_ => NewId()).Where(id => Batched.Keys("profile", id).Bucket == bucket).Take(60).ToList();
        var stale = new GrainState<ProfileState> { State = Profile(events: 1) };
        await Profiles.WriteStateAsync("profile", ids[30], stale);
        var fresh = new GrainState<ProfileState>();
        await Profiles.ReadStateAsync("profile", ids[30], fresh);
        await Profiles.WriteStateAsync("profile", ids[30], fresh);
        stale.State!.Totals.Events = 99;

        var writes = ids.Select((id, i) => i == 30
            ? Profiles.WriteStateAsync("profile", id, stale)
            : Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: i + 1) })).ToList();

        await Should.ThrowAsync<InconsistentStateException>(() => writes[30]);
        await Task.WhenAll(writes.Where((_, i) => i != 30));
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var read = new GrainState<ProfileState>();
            await Profiles.ReadStateAsync("profile", id, read);
            read.State!.Totals.Events.ShouldBe(i == 30 ? 1 : i + 1);
        }
    }

    [Fact]
    public async Task AStateInTheLayoutBeforeIsReadMovedOnItsNextWriteAndClearedForGood()
    {
        // A fresh storage over the same table and service, as a silo of this release meets a table the
        // release before filled: it looks for such rows the first time it misses one.
        var id = NewId();
        await Batched.Legacy.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(name: "Lê Thị Mai", events: 4) });
        var upgraded = Over(azurite.Tables.GetTableClient("profiles"));

        var read = new GrainState<ProfileState>();
        await upgraded.ReadStateAsync("profile", id, read);
        read.RecordExists.ShouldBeTrue();
        read.State!.DisplayName.ShouldBe("Lê Thị Mai");

        read.State.Totals.Events = 5;
        await upgraded.WriteStateAsync("profile", id, read);
        var old = new GrainState<ProfileState>();
        await Batched.Legacy.ReadStateAsync("profile", id, old);
        old.RecordExists.ShouldBeFalse("the row of the layout before is deleted once the state is written in the new one");
        var moved = new GrainState<ProfileState>();
        await upgraded.ReadStateAsync("profile", id, moved);
        moved.State!.Totals.Events.ShouldBe(5);
        moved.ETag.ShouldBe(read.ETag);

        // A copy left behind by a move cut short (written again here) never outlives a clear.
        await Batched.Legacy.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(name: "Lê Thị Mai", events: 4) });
        await upgraded.ClearStateAsync("profile", id, moved);
        var afterClear = new GrainState<ProfileState>();
        await upgraded.ReadStateAsync("profile", id, afterClear);
        afterClear.RecordExists.ShouldBeFalse();
        afterClear.State!.DisplayName.ShouldBeNull();
    }

    /// <summary>A storage of its own on a new table, its requests counted as the silo's are.</summary>
    private async Task<BatchedTableStorage> StorageOnAsync(string table)
    {
        var client = TableConnections.CreateClient(azurite.ConnectionString).GetTableClient(table);
        await client.CreateIfNotExistsAsync();
        return Over(client);
    }

    /// <summary>A storage of the silo's service on <paramref name="table"/>, with the silo's provider beneath for the layout before.</summary>
    private BatchedTableStorage Over(TableClient table) =>
        new(table, TableStorageSilo.ServiceId, silo.Services.GetRequiredService<IGrainStorageSerializer>(), Batched.Legacy, NullLogger<BatchedTableStorage>.Instance);

    private static GrainId NewId() => GrainId.Create(CustomerType, "tenant-a/" + Guid.NewGuid().ToString("N"));

    private static ProfileState Profile(string? name = null, int events = 0)
    {
        var state = new ProfileState();
        state.Totals.Events = events;
        if (name is not null)
        {
            state.Traits["name"] = name;
        }
        return state;
    }

    private static string RandomText(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var random = new Random(length);
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
