using Azure.Data.Tables;
using O2O.Grains.Profiles;
using Orleans.Storage;

namespace O2O.Tests.Storage;

/// <summary>
/// Orleans' Azure Table grain storage, as the silo wires it from the AppHost's keys, against a real
/// Azurite: the guarantees the grains rely on (optimistic concurrency, size, keys, clearing, format).
/// </summary>
[Trait("Category", "Slow")]
public sealed class TableGrainStorageTests(TableStorageSilo silo, Infrastructure.AzuriteFixture azurite) : IClassFixture<TableStorageSilo>
{
    private static readonly GrainType CustomerType = GrainType.Create("customer");

    private IGrainStorage Profiles => silo.Storage("profiles");

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
        var mine = rows.Where(r => r.PartitionKey.EndsWith(O2O.Silo.Hosting.TableKeyEscaping.EscapeKey(id.Key.ToString()!), StringComparison.Ordinal)).ShouldHaveSingleItem();
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
