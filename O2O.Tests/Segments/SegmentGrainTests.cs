using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Segments;

/// <summary>Segments live on profiles in the real test cluster, moved by events and by time alone.</summary>
[Collection(NurtureCollection.Name)]
public sealed class SegmentGrainTests(NurtureCluster fixture)
{
    [Fact]
    public async Task AMonthlyBuyerBecomesChurnRiskAfterACycleAndAHalfWithNoEvent()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var clock = NurtureCluster.Clock;
        var phone = "+84901" + Random.Shared.Next(100000, 999999);
        // The shared clock only moves forward, so this test builds its history in the past.
        var first = clock.GetUtcNow().AddDays(-120);
        for (var i = 0; i < 5; i++)
        {
            await fixture.ApplyAsync(events.Order("HCM01", phone, 900_000) with { Timestamp = first.AddDays(30 * i) });
        }
        var profileId = await ProfileIdAsync(events.Tenant, phone);
        var profile = fixture.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(events.Tenant, profileId));
        var churn = fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, Segment.ChurnRisk));
        var loyal = fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, Segment.Loyal));

        (await profile.GetAsync())!.Segments.ShouldContain("loyal");
        (await loyal.GetStatsAsync(1)).Size.ShouldBe(1);
        (await churn.GetStatsAsync(1)).Size.ShouldBe(0);

        // The last order was 0 days ago relative to `first + 120`; 1.5 cycles is 45 days. A day's tick before then changes nothing.
        var lastOrder = first.AddDays(120);
        await fixture.TickAtAsync(events.Tenant, lastOrder.AddDays(44));
        (await profile.GetAsync())!.Segments.ShouldNotContain("churn-risk");

        await fixture.TickAtAsync(events.Tenant, lastOrder.AddDays(46));

        var after = (await profile.GetAsync())!;
        after.Segments.ShouldContain("churn-risk");
        after.Segments.ShouldNotContain("loyal");
        (await churn.GetStatsAsync(1)).Size.ShouldBe(1);
        (await churn.GetMembersAsync(0, 10)).ShouldBe([profileId]);
        var loyalStats = await loyal.GetStatsAsync(1);
        loyalStats.Size.ShouldBe(0);
        loyalStats.Days[^1].Exited.ShouldBe(1);
    }

    [Fact]
    public async Task AnOrderMovesAPotentialLeadIntoFirstTimeBuyersAtOnce()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var phone = "+84902" + Random.Shared.Next(100000, 999999);
        await fixture.ApplyAsync(
            events.Page("anon-seg", "/uu-dai", new O2O.Grains.Events.AdTouch { Source = "facebook", Campaign = "tet" }),
            events.Identify("anon-seg", phone, "Trần Thị Bình"));
        var potential = fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, Segment.Potential));
        (await potential.GetStatsAsync(1)).Size.ShouldBe(1);

        await fixture.ApplyAsync(events.Order("HCM01", phone, 2_500_000));

        (await potential.GetStatsAsync(1)).Size.ShouldBe(0);
        (await fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, Segment.FirstTimeBuyer)).GetStatsAsync(1)).Size.ShouldBe(1);
        (await fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, Segment.ValueHigh)).GetStatsAsync(1)).Size.ShouldBe(1);
    }

    [Fact]
    public async Task AnErasedPersonLeavesEverySegmentAndTheDueWheel()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var phone = "+84903" + Random.Shared.Next(100000, 999999);
        await fixture.ApplyAsync(events.Order("HCM01", phone, 2_500_000));
        var profileId = await ProfileIdAsync(events.Tenant, phone);
        var firstTime = fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, Segment.FirstTimeBuyer));
        (await firstTime.GetMembersAsync(0, 10)).ShouldBe([profileId]);
        var wheel = await fixture.Grains.GetGrain<ITenantClockGrain>(events.Tenant).GetPendingAsync();
        wheel.ContainsKey(WheelKind.Segments).ShouldBeTrue();

        (await fixture.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(events.Tenant, profileId)).EraseAsync()).ShouldNotBeNull();

        foreach (var segment in SegmentCatalog.All)
        {
            (await fixture.Grains.GetGrain<ISegmentGrain>(SegmentKey.For(events.Tenant, segment)).GetMembersAsync(0, 10)).ShouldNotContain(profileId);
        }
        (await firstTime.GetStatsAsync(1)).Days[^1].Exited.ShouldBe(1);
        foreach (var bucket in wheel[WheelKind.Segments])
        {
            (await fixture.Grains.GetGrain<IDueWheelGrain>(DueWheel.Key(events.Tenant, WheelKind.Segments, bucket)).CountAsync()).ShouldBe(0);
        }
    }

    private async Task<string> ProfileIdAsync(string tenant, string phone) =>
        (await fixture.Grains.Identity(IdentityKey.Of(tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetProfileAsync())!;
}
