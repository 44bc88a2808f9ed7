using O2O.Grains;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Leads;

/// <summary>
/// No grain waits for a grain that may be waiting for it. A router and a profile are both
/// non-reentrant: had the router awaited the profile while the profile awaited the router, both
/// calls would hang until Orleans' response timeout and fail. These tests make that interleaving
/// happen on purpose and expect both calls to succeed.
/// </summary>
[Collection(typeof(SharedClockCollection))]
public sealed class GrainWaitTests(ClusterFixture cluster)
{
    [Fact]
    public async Task ErasingAPersonWhileTheirOutcomeIsRecordedCompletesBoth()
    {
        var tenant = ClusterFixture.NewTenant();
        var events = new EventMaker(tenant);
        await cluster.ApplyAsync(events.CheckIn("HCM05", "090" + Random.Shared.Next(1_000_000, 9_999_999)));
        var router = cluster.Grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, "HCM05"));
        var lan = new Consultant("lan", "Lan", "HCM05", ConsultantRole.Consultant);
        await router.ConnectAsync(lan, "c1");
        var lead = (await router.GetOpenAsync()).ShouldHaveSingleItem();
        (await router.ClaimAsync(lead.LeadId, lan)).Won.ShouldBeTrue();

        // The router is busy with the outcome when the erasure asks it to forget the person.
        var gate = GrainFaults.Hold(tenant, nameof(ILeadRouterGrain.RecordOutcomeAsync));
        var outcome = router.RecordOutcomeAsync(lead.LeadId, lan, LeadOutcome.Contacted, null);
        await gate.Entered;
        var profile = cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, lead.ProfileId));
        var erase = profile.EraseAsync();
        // Let the erasure reach the router's queue (it waits there behind the outcome), then let the outcome go on.
        await Task.Delay(200, TestContext.Current.CancellationToken);
        gate.Open();

        (await outcome).ShouldNotBeNull().Outcome.ShouldBe(LeadOutcome.Contacted);
        (await erase).ShouldNotBeNull();
        (await router.GetOpenAsync()).ShouldBeEmpty();
        (await profile.GetAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task ClaimsWhileOffersExpireAreAnsweredAndExactlyOneWins()
    {
        var tenant = ClusterFixture.NewTenant();
        var events = new EventMaker(tenant);
        var router = cluster.Grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, "HCM06"));
        Consultant lan = new("lan", "Lan", "HCM06", ConsultantRole.Consultant), minh = new("minh", "Minh", "HCM06", ConsultantRole.Consultant);
        await router.ConnectAsync(lan, "c1");
        await router.ConnectAsync(minh, "c2");
        for (var i = 0; i < 5; i++)
        {
            await cluster.ApplyAsync(events.CheckIn("HCM06", "090" + Random.Shared.Next(1_000_000, 9_999_999)));
        }
        var leads = await router.GetOpenAsync();
        leads.Count.ShouldBe(5);

        // Every offer expires while both consultants claim every lead.
        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(3));
        var claims = leads.SelectMany(l => new[] { router.ClaimAsync(l.LeadId, lan), router.ClaimAsync(l.LeadId, minh) }).ToList();
        var results = await Task.WhenAll(claims);

        foreach (var pair in results.Chunk(2))
        {
            pair.Count(r => r.Won).ShouldBe(1, "of two claims on one lead exactly one wins");
        }
        (await router.GetOpenAsync()).ShouldAllBe(l => l.Status == LeadStatus.Claimed);
    }
}
