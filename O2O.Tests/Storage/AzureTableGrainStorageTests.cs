using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using O2O.Grains.Profiles;
using O2O.Silo.Storage;
using O2O.Tests.Infrastructure;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace O2O.Tests.Storage;

/// <summary>The Table grain storage provider against a real Azurite table service.</summary>
public sealed class AzureTableGrainStorageTests(AzuriteFixture azurite, ClusterFixture cluster)
{
    private static readonly GrainType CustomerType = GrainType.Create("customer");

    [Fact]
    public async Task WrittenStateReadsBackAndClearRemovesIt()
    {
        var storage = Storage("profiles");
        var id = NewId();
        var written = new GrainState<ProfileState> { State = Profile(name: "Nguyễn Thị Hương", events: 7) };

        await storage.WriteStateAsync("profile", id, written);
        var read = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, read);

        read.RecordExists.ShouldBeTrue();
        read.ETag.ShouldBe(written.ETag);
        read.State!.DisplayName.ShouldBe("Nguyễn Thị Hương");
        read.State!.Totals.Events.ShouldBe(7);
        read.State!.Version.ShouldBe(ProfileState.CurrentVersion);

        await storage.ClearStateAsync("profile", id, read);
        var afterClear = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, afterClear);
        afterClear.RecordExists.ShouldBeFalse();
        afterClear.ETag.ShouldBeNull();
        afterClear.State!.Totals.Events.ShouldBe(0);
    }

    [Fact]
    public async Task WriteWithStaleETagRaisesInconsistentStateException()
    {
        var storage = Storage("profiles");
        var id = NewId();
        await storage.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 1) });
        var first = new GrainState<ProfileState>();
        var second = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, first);
        await storage.ReadStateAsync("profile", id, second);

        first.State!.Totals.Events = 2;
        await storage.WriteStateAsync("profile", id, first);
        second.State!.Totals.Events = 3;

        await Should.ThrowAsync<InconsistentStateException>(() => storage.WriteStateAsync("profile", id, second));
        var stored = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, stored);
        stored.State!.Totals.Events.ShouldBe(2);
    }

    [Fact]
    public async Task SecondFirstWriteRaisesInconsistentStateException()
    {
        var storage = Storage("profiles");
        var id = NewId();
        await storage.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 1) });

        await Should.ThrowAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 9) }));
    }

    [Fact]
    public async Task ClearWithStaleETagRaisesInconsistentStateException()
    {
        var storage = Storage("profiles");
        var id = NewId();
        var stale = new GrainState<ProfileState> { State = Profile(events: 1) };
        await storage.WriteStateAsync("profile", id, stale);
        var fresh = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, fresh);
        await storage.WriteStateAsync("profile", id, fresh);

        await Should.ThrowAsync<InconsistentStateException>(() => storage.ClearStateAsync("profile", id, stale));
    }

    [Fact]
    public async Task TwoMegabyteStateSurvivesRoundTripAndShrinksBack()
    {
        var storage = Storage("profiles");
        var id = NewId();
        var big = RandomText(2 * 1024 * 1024);
        var state = new GrainState<ProfileState> { State = Profile(events: 1) };
        state.State!.Traits["notes"] = big;

        await storage.WriteStateAsync("profile", id, state);
        var read = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, read);
        read.State!.Traits["notes"].ShouldBe(big);

        read.State!.Traits.Remove("notes");
        read.State!.Totals.Events = 2;
        await storage.WriteStateAsync("profile", id, read);
        var small = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, small);
        small.State!.Traits.ShouldNotContainKey("notes");
        small.State!.Totals.Events.ShouldBe(2);

        small.State!.Traits["notes"] = big;
        await storage.WriteStateAsync("profile", id, small);
        await storage.ClearStateAsync("profile", id, small);
        var cleared = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, cleared);
        cleared.RecordExists.ShouldBeFalse();
    }

    [Fact]
    public async Task StateBiggerThanOneTableTransactionRoundTripsAndLeavesNoOldRows()
    {
        var storage = Storage("profiles");
        var id = NewId();
        var state = new GrainState<ProfileState> { State = Profile(events: 1) };
        state.State!.Traits["notes"] = RandomText(6 * 1024 * 1024);

        await storage.WriteStateAsync("profile", id, state);
        state.State.Traits["notes"] = RandomText(5 * 1024 * 1024);
        await storage.WriteStateAsync("profile", id, state);
        var read = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, read);

        read.State!.Traits["notes"].ShouldBe(state.State.Traits["notes"]);
        var rows = await RowsOfAsync("profiles", id);
        rows.ShouldBe(StatePayload.RowCount(await MainRowAsync("profiles", id)));

        read.State.Traits.Remove("notes");
        await storage.WriteStateAsync("profile", id, read);
        (await RowsOfAsync("profiles", id)).ShouldBe(1);
    }

    [Theory]
    [InlineData("tenant-a/p/1")]
    [InlineData("tenant-a\\p#2?x")]
    [InlineData("tenant-a/Nguyễn Văn Đức – Hà Nội")]
    [InlineData("tenant-a/~2F%20\u0001\u007F\u0085tab\tend")]
    public async Task KeysWithForbiddenAndVietnameseCharactersWork(string key)
    {
        var storage = Storage("profiles");
        var id = GrainId.Create(CustomerType, key + "/" + Guid.NewGuid().ToString("N"));
        var state = new GrainState<ProfileState> { State = Profile(name: key, events: 3) };

        await storage.WriteStateAsync("profile", id, state);
        var read = new GrainState<ProfileState>();
        await storage.ReadStateAsync("profile", id, read);

        read.RecordExists.ShouldBeTrue();
        read.State!.DisplayName.ShouldBe(key);
    }

    [Fact]
    public async Task KeysThatDifferOnlyInForbiddenCharactersStayApart()
    {
        var storage = Storage("profiles");
        var suffix = Guid.NewGuid().ToString("N");
        string[] keys = ["a/b", "a\\b", "a#b", "a?b", "a~2Fb", "a%2Fb"];
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            await storage.WriteStateAsync("profile", GrainId.Create(CustomerType, key + suffix), new GrainState<ProfileState> { State = Profile(events: i + 1) });
        }
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            var read = new GrainState<ProfileState>();
            await storage.ReadStateAsync("profile", GrainId.Create(CustomerType, key + suffix), read);
            read.State!.Totals.Events.ShouldBe(i + 1);
        }
    }

    [Fact]
    public async Task TableIsCreatedOnFirstUse()
    {
        var name = "first" + Guid.NewGuid().ToString("N")[..8];
        var storage = Storage(name);
        (await TableExistsAsync(name)).ShouldBeFalse();

        await storage.WriteStateAsync("profile", NewId(), new GrainState<ProfileState> { State = Profile(events: 1) });

        (await TableExistsAsync(name)).ShouldBeTrue();
    }

    private async Task<int> RowsOfAsync(string table, GrainId id)
    {
        var rows = 0;
        var partitionKey = TableKeys.Encode("storage-tests/" + id);
        await foreach (var _ in azurite.Tables.GetTableClient(table).QueryAsync<TableEntity>(e => e.PartitionKey == partitionKey, select: ["RowKey"]))
        {
            rows++;
        }
        return rows;
    }

    private async Task<TableEntity> MainRowAsync(string table, GrainId id) =>
        (await azurite.Tables.GetTableClient(table).GetEntityAsync<TableEntity>(TableKeys.Encode("storage-tests/" + id), TableKeys.Encode("profile"))).Value;

    private async Task<bool> TableExistsAsync(string table)
    {
        await foreach (var _ in azurite.Tables.QueryAsync(TableServiceClient.CreateQueryFilter($"TableName eq {table}")))
        {
            return true;
        }
        return false;
    }

    private AzureTableGrainStorage Storage(string name)
    {
        var silo = (InProcessSiloHandle)cluster.Cluster.Primary!;
        var options = new AzureTableStorageOptions
        {
            TableServiceClient = azurite.Tables,
            // The cluster's default grain storage serializer: Orleans' own, versioned by [Id].
            GrainStorageSerializer = silo.SiloHost.Services.GetRequiredService<IGrainStorageSerializer>(),
        };
        return new AzureTableGrainStorage(name, options, Options.Create(new ClusterOptions { ServiceId = "storage-tests" }), NullLogger<AzureTableGrainStorage>.Instance);
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
        const string alphabet = "abcdefghijklmnopqrstuvwxyzăâđêôơưáàảãạ0123456789";
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
