using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Leads;

/// <summary>
/// Tests that move the shared fake clock (<see cref="ClusterFixture.Clock"/>) run alone: a jump by days
/// would expire another test's offers early, or put its events on another day than it reads.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class SharedClockCollection;

[Collection(typeof(SharedClockCollection))]
public sealed class LeadRouterGrainTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static LeadRequest Request(string profileId, string team, double score = 70)
    {
        var snapshot = new LeadSnapshot(profileId, "Lê Thị Hồng", "090****123", score, ClusterFixture.Clock.GetUtcNow(), FunnelStage.Contacted, team, [ScoreReason.Contact]);
        return new(snapshot, LeadTrigger.Contact, team, new LeadFacts(snapshot.Stage, "ao-dai", "potential", null, ["/san-pham/ao-dai"], team));
    }

    private ILeadRouterGrain Router(string team, string? tenant = null) =>
        cluster.Grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant ?? ClusterFixture.NewTenant(), team));

    private static async Task<LeadCard> UntilAsync(ILeadRouterGrain router, Func<LeadCard, bool> done)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var lead = (await router.GetOpenAsync()).Single();
            if (done(lead))
            {
                return lead;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Lead stayed {lead.Status} with {lead.OfferedTo}");
            }
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AnUnclaimedOfferGoesToTheNextConsultantAfterTheSlaThenToTheManager()
    {
        var router = Router("HCM01");
        Consultant lan = new("lan", "Lan", "HCM01", ConsultantRole.Consultant), minh = new("minh", "Minh", "HCM01", ConsultantRole.Consultant);
        Consultant hoa = new("hoa", "Hoa", "HCM01", ConsultantRole.Manager);
        await router.ConnectAsync(lan, "c1");
        await router.ConnectAsync(minh, "c2");
        await router.ConnectAsync(hoa, "c3");

        await router.RaiseAsync([Request("p1", "HCM01")]);
        var first = (await router.GetOpenAsync()).Single();
        first.Status.ShouldBe(LeadStatus.Offered);
        first.OfferedTo.ShouldBeOneOf("lan", "minh");

        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var second = await UntilAsync(router, l => l.OfferedTo != first.OfferedTo);
        second.Status.ShouldBe(LeadStatus.Offered);
        second.OfferedTo.ShouldBeOneOf("lan", "minh");
        second.Offers.ShouldBe(2);

        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var escalated = await UntilAsync(router, l => l.Status == LeadStatus.Escalated);
        escalated.OfferedTo.ShouldBe("hoa");
    }

    [Fact]
    public async Task LeadsGoToWhoeverHasFewestOpenThenInTurn()
    {
        var router = Router("HN01");
        foreach (var id in new[] { "a", "b", "c" })
        {
            await router.ConnectAsync(new Consultant(id, id, "HN01", ConsultantRole.Consultant), "conn-" + id);
        }

        await router.RaiseAsync([Request("p1", "HN01"), Request("p2", "HN01"), Request("p3", "HN01")]);

        var open = await router.GetOpenAsync();
        open.Select(l => l.OfferedTo).Order().ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public async Task WhenConsultantsAreFullTheHottestWaitingLeadIsServedFirst()
    {
        var router = Router("DN01");
        var tuan = new Consultant("tuan", "Tuấn", "DN01", ConsultantRole.Consultant);
        await router.ConnectAsync(tuan, "conn");
        await router.RaiseAsync([Request("busy1", "DN01", 90), Request("busy2", "DN01", 90), Request("busy3", "DN01", 90), Request("busy4", "DN01", 90), Request("busy5", "DN01", 90)]);
        await router.RaiseAsync([Request("warm", "DN01", 40), Request("hot", "DN01", 95)]);
        var waiting = (await router.GetOpenAsync()).Where(l => l.Status == LeadStatus.Waiting).ToList();
        waiting.Count.ShouldBe(2);

        // One of Tuấn's leads ends: the hottest waiting lead takes the freed place.
        var done = (await router.GetOpenAsync()).First(l => l.Status == LeadStatus.Offered);
        (await router.ClaimAsync(done.LeadId, tuan)).Won.ShouldBeTrue();
        (await router.RecordOutcomeAsync(done.LeadId, tuan, LeadOutcome.Lost, "no budget")).ShouldNotBeNull();

        var open = await router.GetOpenAsync();
        open.Single(l => l.ProfileId == "hot").Status.ShouldBe(LeadStatus.Offered);
        open.Single(l => l.ProfileId == "warm").Status.ShouldBe(LeadStatus.Waiting);
    }

    [Fact]
    public async Task ALeadRaisedWithNobodyOnDutyWaitsForTheFirstConsultantToSignIn()
    {
        var router = Router("HCM03");
        await router.RaiseAsync([Request("night-owl", "HCM03")]);
        (await router.GetOpenAsync()).Single().Status.ShouldBe(LeadStatus.Waiting);

        var open = await router.ConnectAsync(new Consultant("mai", "Mai", "HCM03", ConsultantRole.Consultant), "conn-mai");

        var lead = open.ShouldHaveSingleItem();
        lead.Status.ShouldBe(LeadStatus.Offered);
        lead.OfferedTo.ShouldBe("mai");
    }

    [Fact]
    public async Task AStoreRouterNeverHoldsAnotherStoresLeads()
    {
        var tenant = ClusterFixture.NewTenant();
        var events = new EventMaker(tenant);
        await cluster.ApplyAsync(events.CheckIn("HCM01", "090" + Random.Shared.Next(1_000_000, 9_999_999)));
        await cluster.ApplyAsync(events.CheckIn("HN01", "090" + Random.Shared.Next(1_000_000, 9_999_999)));

        (await Router("HCM01", tenant).GetOpenAsync()).ShouldHaveSingleItem().Team.ShouldBe("HCM01");
        (await Router("HN01", tenant).GetOpenAsync()).ShouldHaveSingleItem().Team.ShouldBe("HN01");
    }

    [Fact]
    public async Task ARaiseIsWrittenBehindWithinTheWriteDelayAndAClaimBeforeItIsAnswered()
    {
        var router = Router("HN02");
        var lan = new Consultant("lan", "Lan", "HN02", ConsultantRole.Consultant);
        await router.ConnectAsync(lan, "conn-lan");
        await router.RaiseAsync([Request("walk-in", "HN02")]);
        // Grain timers run on the silo's clock, the shared fake one here.
        ClusterFixture.Clock.Advance(new LeadOptions().WriteDelay + TimeSpan.FromSeconds(1));

        var stored = await StoredLeads.UntilAsync(cluster, router, leads => leads.Count == 1);
        var leadId = stored.Single().Card.LeadId;
        stored.Single().Card.Status.ShouldBe(LeadStatus.Offered);

        (await router.ClaimAsync(leadId, lan)).Won.ShouldBeTrue();
        (await StoredLeads.ReadAsync(cluster, router)).ShouldHaveSingleItem().Card.Status.ShouldBe(LeadStatus.Claimed);
    }

    [Fact]
    public async Task APersonHasAtMostOneOpenLead()
    {
        var tenant = ClusterFixture.NewTenant();
        var events = new EventMaker(tenant);
        var phone = "090" + Random.Shared.Next(1_000_000, 9_999_999);
        await cluster.ApplyAsync(events.Identify("anon-1", phone, "Phạm Thu Trang"), events.Track("anon-1", "Chat Started"));
        await cluster.ApplyAsync(events.Track("anon-1", "Call Started"));
        await cluster.ApplyAsync(events.CheckIn("HCM02", phone));

        var all = (await Router(LeadOptions.OnlineTeam, tenant).GetOpenAsync()).Concat(await Router("HCM02", tenant).GetOpenAsync()).ToList();
        var lead = all.ShouldHaveSingleItem();
        lead.Name.ShouldBe("Phạm Thu Trang");
        lead.Trigger.ShouldBe(LeadTrigger.Contact);
        lead.Stage.ShouldBe(FunnelStage.StoreVisited);
    }

    [Fact]
    public async Task ErasingAPersonDropsTheirOpenLead()
    {
        var tenant = ClusterFixture.NewTenant();
        var events = new EventMaker(tenant);
        await cluster.ApplyAsync(events.CheckIn("HN01", "090" + Random.Shared.Next(1_000_000, 9_999_999)));
        var router = Router("HN01", tenant);
        var lead = (await router.GetOpenAsync()).ShouldHaveSingleItem();

        (await cluster.Grains.GetGrain<ICustomerGrain>(O2O.Grains.TenantKey.Compose(tenant, lead.ProfileId)).EraseAsync()).ShouldNotBeNull();

        (await router.GetOpenAsync()).ShouldBeEmpty();
    }
}
