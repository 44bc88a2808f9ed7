using Microsoft.Extensions.DependencyInjection;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;
using Orleans.Core.Internal;
using Orleans.Storage;
using Orleans.TestingHost;

namespace O2O.Tests.Leads;

/// <summary>
/// A team may hold any number of open leads, while every row stored for it stays within what Table
/// storage takes (about 1 MB): the router's own row does not grow with its leads, and the leads are
/// stored in pages of at most <see cref="LeadPages.MaxBytes"/> as <see cref="LeadStorageSize"/> counts them.
/// </summary>
[Collection(typeof(SharedClockCollection))]
public sealed class LeadRouterBoundTests(ClusterFixture cluster)
{
    /// <summary>The Orleans Azure Table provider's limit: 15 properties of 64 KB.</summary>
    private const int TableRowStateLimit = 15 * 64 * 1024;

    /// <summary>What a team's router held at most before its leads moved to pages.</summary>
    private const int OldCap = 300;

    [Fact]
    public async Task ATeamKeepsMoreOpenLeadsThanTheOldCapAndGetsThemAllBackAfterItsRouterRestarts()
    {
        var tenant = ClusterFixture.NewTenant();
        var router = cluster.Grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, "HCM03"));
        Consultant thu = new("thu", "Thu", "HCM03", ConsultantRole.Consultant);
        await router.ConnectAsync(thu, "c1");
        var people = OldCap * 3;
        foreach (var chunk in Enumerable.Range(0, people).Chunk(100))
        {
            await router.RaiseAsync([.. chunk.Select(i => Request($"p{i}", score: 61 + (i % 30)))]);
        }
        var open = await router.GetOpenAsync();
        open.Count.ShouldBe(people);
        open.Select(l => l.ProfileId).Distinct().Count().ShouldBe(people, "every person keeps their own lead: none was closed for room");
        var offered = open.First(l => l.Status == LeadStatus.Offered && l.OfferedTo == thu.Id);
        (await router.ClaimAsync(offered.LeadId, thu)).Won.ShouldBeTrue();
        var erased = open.First(l => l.LeadId != offered.LeadId);
        await router.ForgetAsync(erased.ProfileId);

        await router.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        // Who is connected is not stored: the consultant shows offline once a new activation answers.
        await Eventually.TrueAsync(async () => !(await router.StatsAsync()).Single(c => c.ConsultantId == thu.Id).Online, "the router reactivated");
        var reloaded = await router.GetOpenAsync();
        reloaded.Count.ShouldBe(people - 1);

        reloaded.Single(l => l.LeadId == offered.LeadId).ClaimedBy.ShouldBe(thu.Id);
        reloaded.ShouldNotContain(l => l.ProfileId == erased.ProfileId);
        reloaded.Select(l => l.LeadId).ShouldBe(open.Where(l => l.LeadId != erased.LeadId).Select(l => l.LeadId), ignoreOrder: true);
        (await StoredLeads.ReadAsync(cluster, router)).ShouldNotContain(l => l.Card.ProfileId == erased.ProfileId, "an erased person's lead leaves its page");
        // Lead numbers go on past every number given before, so no new lead takes an old one's id.
        await router.RaiseAsync([Request("p-after", score: 90)]);
        var after = LeadPages.NumberOf((await router.GetOpenAsync()).Single(l => l.ProfileId == "p-after").LeadId);
        after.ShouldBeGreaterThan(open.Max(l => LeadPages.NumberOf(l.LeadId)));
    }

    [Fact]
    public async Task ARoutersStoredRowDoesNotGrowWithItsOpenLeadsAndEachPageFitsInATableRow()
    {
        var tenant = ClusterFixture.NewTenant();
        var router = cluster.Grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, "HCM04"));
        await router.ConnectAsync(new Consultant("an", "An", "HCM04", ConsultantRole.Consultant), "c1");
        await router.RaiseAsync([.. Enumerable.Range(0, 10).Select(i => Request($"p{i}", score: 70))]);
        var few = await StoredRowBytesAsync(router, 10);

        foreach (var chunk in Enumerable.Range(10, OldCap * 4).Chunk(200))
        {
            await router.RaiseAsync([.. chunk.Select(i => Request($"p{i}", score: 70))]);
        }
        var many = await StoredRowBytesAsync(router, 10 + (OldCap * 4));

        // A few bytes for the larger lead and page numbers; a card is hundreds of bytes.
        many.ShouldBeLessThanOrEqualTo(few + 32, $"the router's row took {few} bytes with 10 open leads and {many} with {10 + (OldCap * 4)}");
        var row = await StoredLeads.RouterAsync(cluster, router);
        var pages = 0;
        for (var page = row.FirstPage; page <= row.LastPage; page++)
        {
            var stored = await StoredLeads.PageAsync(cluster, tenant, "HCM04", page);
            stored.Leads.Sum(LeadStorageSize.Of).ShouldBeLessThanOrEqualTo(LeadPages.MaxBytes);
            Serializer.Serialize(stored).ToArray().Length.ShouldBeLessThan(TableRowStateLimit);
            pages += stored.Leads.Count > 0 ? 1 : 0;
        }
        pages.ShouldBeLessThan(10, "hundreds of ordinary leads share a page, so a burst of raises costs few writes");
    }

    [Fact]
    public void APageFilledWithTheLargestLeadsItTakesFitsInOneTableRowAndNoLeadIsUndercounted()
    {
        var small = Lead(notes: 0);
        var largest = Lead(notes: 20);
        Serializer.Serialize(small).ToArray().Length.ShouldBeLessThanOrEqualTo(LeadStorageSize.Of(small));
        Serializer.Serialize(largest).ToArray().Length.ShouldBeLessThanOrEqualTo(LeadStorageSize.Of(largest));

        var page = new LeadPageState();
        while (page.Leads.Sum(LeadStorageSize.Of) + LeadStorageSize.Of(largest) <= LeadPages.MaxBytes)
        {
            page.Leads.Add(Lead(notes: 20));
        }
        var bytes = Serializer.Serialize(page).ToArray().Length;

        page.Leads.Count.ShouldBeGreaterThan(1);
        bytes.ShouldBeLessThan(TableRowStateLimit, $"a full page of {page.Leads.Count} of the largest leads takes {bytes} bytes");
    }

    /// <summary>A lead as large as its card gets; with 20 notes, the most a lead keeps, of the 1,000 characters the hub takes.</summary>
    private static OpenLead Lead(int notes)
    {
        var now = ClusterFixture.Clock.GetUtcNow();
        var note = string.Concat(Enumerable.Repeat("Khách hỏi giá áo dài lụa tơ tằm thêu hoa sen, hẹn ghé cửa hàng thử đồ. ", 15))[..1000];
        var card = new LeadCard
        {
            LeadId = $"L{Random.Shared.Next()}",
            ProfileId = $"p_{Guid.NewGuid():N}",
            Team = "HCM02",
            Name = "Nguyễn Thị Phương Thảo Hoàng Lê Minh Khang",
            MaskedPhone = "090****123",
            Score = 88,
            Reasons = [ScoreReason.Contact, ScoreReason.PricingInterest, ScoreReason.CartIntent],
            Stage = FunnelStage.Contacted,
            Trigger = LeadTrigger.Contact,
            LastAd = new LeadAd("facebook", "fb_tet_sale_2027_thoi_trang_nu_cao_cap", "video_15s_ao_dai_lua_to_tam", now),
            LastPages = [.. Enumerable.Range(0, 3).Select(p => $"/san-pham/ao-dai-lua-to-tam-theu-hoa-sen-cao-cap-{p}?utm_source=facebook&utm_campaign=fb_tet_sale&fbclid=IwAR3x{new string('x', 80)}")],
            LastStoreId = "HCM02",
            Interest = "ao-dai-lua-to-tam",
            Segment = "potential",
            Script = new LeadScript("contact-pricing", "Chào anh/chị, em là tư vấn viên. Anh/chị vừa xem bảng giá: em gửi ngay báo giá chi tiết và chương trình trả góp 0% nhé? Em có thể giữ hàng tại cửa hàng gần nhất và hẹn lịch thử đồ khi anh/chị tiện ghé qua."),
            Status = LeadStatus.Claimed,
            ClaimedBy = "consultant-nguyen-van-a",
            ClaimedByName = "Nguyễn Văn An",
            OfferExpiresAt = now,
            OfferedAt = now,
            ClaimedAt = now,
            RaisedAt = now,
            Offers = 2,
            ContactConsent = [O2O.Grains.Consent.ConsentChannel.Sms],
            Notes = [.. Enumerable.Range(0, notes).Select(n => new LeadNote(now, "consultant-nguyen-van-a", "Nguyễn Văn An", note))],
        };
        return new OpenLead { Card = card, Tried = ["consultant-tran-thi-b", "consultant-le-van-c"], Page = 12_345 };
    }

    private IGrainStorageSerializer Serializer =>
        ((InProcessSiloHandle)cluster.Cluster.Primary!).SiloHost.Services.GetRequiredService<IGrainStorageSerializer>();

    /// <summary>The size of the router's stored row once all <paramref name="leads"/> are stored.</summary>
    private async Task<int> StoredRowBytesAsync(ILeadRouterGrain router, int leads)
    {
        // Raises are written behind, on the silo's (fake) clock.
        ClusterFixture.Clock.Advance(new LeadOptions().WriteDelay + TimeSpan.FromSeconds(1));
        await StoredLeads.UntilAsync(cluster, router, stored => stored.Count == leads);
        return Serializer.Serialize(await StoredLeads.RouterAsync(cluster, router)).ToArray().Length;
    }

    private static LeadRequest Request(string profileId, double score)
    {
        var snapshot = new LeadSnapshot(profileId, "Võ Thị Thu", "090****456", score, ClusterFixture.Clock.GetUtcNow(), FunnelStage.Contacted, "HCM02", [ScoreReason.Contact]);
        return new(snapshot, LeadTrigger.Contact, "HCM02", new LeadFacts(snapshot.Stage, "ao-dai", "potential", null, ["/san-pham/ao-dai"], "HCM02"));
    }
}
