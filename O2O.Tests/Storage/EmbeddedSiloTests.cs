using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Profiles;
using O2O.Silo.Hosting;
using Orleans.Storage;

namespace O2O.Tests.Storage;

/// <summary>
/// A silo hosted as O2O.Silo hosts it with no cluster configured (the embedded product): its grain
/// storage gives the guarantees the grains rely on from Table storage, and its settings come from
/// configuration as a deployment gives them.
/// </summary>
public sealed class EmbeddedSiloTests : IAsyncLifetime
{
    private static readonly GrainType CustomerType = GrainType.Create("customer");

    private WebApplication? _app;

    private IGrainStorage Profiles => _app!.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Profiles);

    public async ValueTask InitializeAsync() =>
        _app = await TableStorageSilo.StartAsync(new Dictionary<string, string?>
        {
            ["O2O:Demo:Enabled"] = "false",
            [$"Orleans:GrainCollection:ClassSpecificCollectionAge:{typeof(CustomerGrain).FullName}"] = "00:05:00",
        });

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public void AnEmbeddedSiloKeepsStatesInItsOwnProcess() => Profiles.ShouldBeOfType<ProcessGrainStorage>();

    [Fact]
    public void HowLongAnIdleProfileStaysInMemoryComesFromConfiguration() =>
        _app!.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.GrainCollectionOptions>>()
            .Value.ClassSpecificCollectionAge[typeof(CustomerGrain).FullName!].ShouldBe(TimeSpan.FromMinutes(5));

    [Fact]
    public async Task WrittenStateReadsBackAsACopyAndClearRemovesIt()
    {
        var id = NewId();
        var written = new GrainState<ProfileState> { State = Profile(events: 7) };
        await Profiles.WriteStateAsync("profile", id, written);
        written.State.Totals.Events = 99;

        var read = new GrainState<ProfileState> { State = new() };
        await Profiles.ReadStateAsync("profile", id, read);
        read.RecordExists.ShouldBeTrue();
        read.ETag.ShouldBe(written.ETag);
        read.State.ShouldNotBeSameAs(written.State);
        read.State.Totals.Events.ShouldBe(7, "what is stored is what was written, not the object the grain goes on changing");

        await Profiles.ClearStateAsync("profile", id, read);
        var afterClear = new GrainState<ProfileState> { State = new() };
        await Profiles.ReadStateAsync("profile", id, afterClear);
        afterClear.RecordExists.ShouldBeFalse();
        afterClear.ETag.ShouldBeNull();
        afterClear.State.Totals.Events.ShouldBe(0);
    }

    [Fact]
    public async Task AWriteOrClearWithAStaleETagIsRefusedAndTheStoredStateStays()
    {
        var id = NewId();
        await Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 1) });
        var first = new GrainState<ProfileState> { State = new() };
        var second = new GrainState<ProfileState> { State = new() };
        await Profiles.ReadStateAsync("profile", id, first);
        await Profiles.ReadStateAsync("profile", id, second);

        first.State.Totals.Events = 2;
        await Profiles.WriteStateAsync("profile", id, first);
        second.State.Totals.Events = 3;

        await Should.ThrowAsync<InconsistentStateException>(() => Profiles.WriteStateAsync("profile", id, second));
        await Should.ThrowAsync<InconsistentStateException>(() => Profiles.ClearStateAsync("profile", id, second));
        await Should.ThrowAsync<InconsistentStateException>(() =>
            Profiles.WriteStateAsync("profile", id, new GrainState<ProfileState> { State = Profile(events: 9) }));
        var stored = new GrainState<ProfileState> { State = new() };
        await Profiles.ReadStateAsync("profile", id, stored);
        stored.State.Totals.Events.ShouldBe(2);
    }

    [Fact]
    public async Task AProfileReadFromVersion1BytesActivatesWithItsTimeline()
    {
        // The bytes main wrote before the timeline became values, read by this silo's storage serializer.
        var serializer = _app!.Services.GetRequiredService<IGrainStorageSerializer>();
        var legacy = serializer.Deserialize<ProfileState>(File.ReadAllBytes(CompactProfileStateTests.FixturePath))!;
        legacy.Timeline.Count.ShouldBe(20);
        var key = "tenant-a/" + Guid.NewGuid().ToString("N");
        await Profiles.WriteStateAsync("profile", GrainId.Create(CustomerType, key), new GrainState<ProfileState> { State = legacy });

        var view = await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(key).GetAsync();

        view.ShouldNotBeNull();
        view.Timeline.Reverse().ShouldBe(CompactProfileStateTests.FixtureTimeline());
        view.Identities.ShouldContain("phone:+84901234567");
    }

    private static GrainId NewId() => GrainId.Create(CustomerType, "tenant-a/" + Guid.NewGuid().ToString("N"));

    private static ProfileState Profile(int events)
    {
        var state = new ProfileState();
        state.Totals.Events = events;
        return state;
    }
}
