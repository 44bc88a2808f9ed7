using Microsoft.Extensions.DependencyInjection;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;

namespace O2O.Tests.Leads;

/// <summary>
/// A team router keeps every open lead of its team in one storage row, which Table storage caps at
/// about 1 MB: the open list is bounded by <see cref="LeadOptions.MaxOpenPerTeam"/>.
/// </summary>
[Collection(typeof(SharedClockCollection))]
public sealed class LeadRouterBoundTests(ClusterFixture cluster)
{
    /// <summary>The Orleans Azure Table provider's limit: 15 properties of 64 KB.</summary>
    private const int TableRowStateLimit = 15 * 64 * 1024;

    private static readonly int Cap = new LeadOptions().MaxOpenPerTeam;

    [Fact]
    public async Task AtItsCapARouterClosesItsWeakestUnclaimedLeadForANewOneAndKeepsClaimedOnes()
    {
        var router = cluster.Grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(ClusterFixture.NewTenant(), "HCM02"));
        Consultant thu = new("thu", "Thu", "HCM02", ConsultantRole.Consultant);
        await router.ConnectAsync(thu, "c1");
        // The consultant is offered the first lead raised alone, the weakest of all, and claims it.
        await router.RaiseAsync([Request("p-claimed", score: 61)]);
        var claimed = (await router.GetOpenAsync()).Single();
        (await router.ClaimAsync(claimed.LeadId, thu)).ShouldNotBeNull();
        await router.RaiseAsync([.. Enumerable.Range(1, Cap - 1).Select(i => Request($"p{i}", score: 62 + (i % 30)))]);
        (await router.GetOpenAsync()).Count.ShouldBe(Cap);
        var weakestUnclaimed = (await router.GetOpenAsync()).Where(l => l.Status != LeadStatus.Claimed).MinBy(l => (l.Score, l.RaisedAt))!;

        await router.RaiseAsync([Request("p-new", score: 95)]);

        var open = await router.GetOpenAsync();
        open.Count.ShouldBe(Cap);
        open.ShouldContain(l => l.ProfileId == "p-new");
        open.ShouldContain(l => l.LeadId == claimed.LeadId && l.Status == LeadStatus.Claimed);
        open.ShouldNotContain(l => l.LeadId == weakestUnclaimed.LeadId);
    }

    [Fact]
    public void ARouterAtItsCapWithLargeCardsFitsInOneTableRow()
    {
        var serializer = ((InProcessSiloHandle)cluster.Cluster.Primary!).SiloHost.Services.GetRequiredService<IGrainStorageSerializer>();
        var now = ClusterFixture.Clock.GetUtcNow();
        var state = new LeadRouterState { Sequence = Cap };
        for (var i = 0; i < Cap; i++)
        {
            var card = new LeadCard
            {
                LeadId = $"L{i}",
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
                Status = LeadStatus.Offered,
                OfferedTo = "consultant-nguyen-van-a",
                OfferExpiresAt = now,
                RaisedAt = now,
                Offers = 2,
            };
            state.Open[card.LeadId] = new OpenLead { Card = card, Tried = ["consultant-tran-thi-b", "consultant-le-van-c"] };
        }

        var bytes = serializer.Serialize(state).ToArray().Length;

        bytes.ShouldBeLessThan(TableRowStateLimit, $"{Cap} open leads take {bytes} bytes");
    }

    private static LeadRequest Request(string profileId, double score)
    {
        var snapshot = new LeadSnapshot(profileId, "Võ Thị Thu", "090****456", score, ClusterFixture.Clock.GetUtcNow(), FunnelStage.Contacted, "HCM02", [ScoreReason.Contact]);
        return new(snapshot, LeadTrigger.Contact, "HCM02", new LeadFacts(snapshot.Stage, "ao-dai", "potential", null, ["/san-pham/ao-dai"], "HCM02"));
    }
}
