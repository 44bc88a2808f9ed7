using O2O.Grains;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Tests.Grains;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Leads;

/// <summary>
/// A hot-lead board writes its ranking behind, once per <see cref="LeadOptions.BoardWriteDelay"/>, not
/// once per router <see cref="LeadOptions.WriteDelay"/>: its writes were most of what returning people
/// cost beyond their profiles. Every stored write is counted (<see cref="RecordingStorage"/>); the
/// silo's timers run on the cluster's fake clock.
/// </summary>
[Collection(IndexCollection.Name)]
public sealed class LeadBoardWriteTests(IndexCluster cluster)
{
    [Fact]
    public async Task ABoardGathersRankingChangesForItsOwnDelayThenWritesThemOnce()
    {
        var options = new LeadOptions();
        options.BoardWriteDelay.ShouldBeGreaterThan(options.WriteDelay * 10);
        var board = cluster.Grains.GetGrain<ILeadBoardGrain>(TenantKey.Compose(ClusterFixture.NewTenant(), ILeadBoardGrain.AllStores));

        await board.UpsertAsync([Snapshot("p_first", 40)]);
        IndexCluster.Clock.Advance(options.WriteDelay + TimeSpan.FromSeconds(1));
        await board.UpsertAsync([Snapshot("p_second", 60)]);
        // A call after the clock moved runs after any timer tick the move was due to fire.
        (await board.GetTopAsync(10)).Select(l => l.ProfileId).ShouldBe(["p_second", "p_first"]);
        RecordingStorage.Of(board.GetGrainId()).ShouldBeNull("a router's second is not a board's delay");

        IndexCluster.Clock.Advance(options.BoardWriteDelay);
        await board.GetTopAsync(1);
        RecordingStorage.Of(board.GetGrainId()).ShouldNotBeNull().Writes.ShouldBe(1, "both changes in one write");
    }

    private LeadSnapshot Snapshot(string profileId, double score) =>
        new(profileId, "Khách", "090****567", score, IndexCluster.Clock.GetUtcNow(), FunnelStage.Contacted, null, []);
}
