using O2O.Grains;
using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Grains.Stores;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Grains;

// Moves the shared clock by days: alone, so no other test finds its events on another day than it looks.
[Collection(typeof(O2O.Tests.Leads.SharedClockCollection))]
public sealed class CustomerGrainTests(ClusterFixture cluster)
{
    private static readonly AdTouch FacebookAd = new() { Source = "facebook", Medium = "paid_social", Campaign = "tet_sale", Content = "video_a", ClickIdType = "fbclid" };
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task FunnelMovesFromAdToPurchaseWithTheTimeOfEachStep()
    {
        const string phone = "+84901110001";
        await cluster.ApplyAsync(
            _make.Page("anon-1", "/", FacebookAd),
            _make.Page("anon-1", "/san-pham/ao-dai"),
            _make.Identify("anon-1", phone, "Trần Thị Mai"));
        var contacted = await ProfileByPhoneAsync(phone);
        contacted.Stage.ShouldBe(FunnelStage.Contacted);
        contacted.StageTimes.Keys.ShouldBe([FunnelStage.Aware, FunnelStage.Visited, FunnelStage.Engaged, FunnelStage.Contacted], ignoreOrder: true);

        await cluster.ApplyAsync(_make.CheckIn("HCM01", phone), _make.Order("HCM01", phone, 1_500_000));

        var bought = await ProfileByPhoneAsync(phone);
        bought.Stage.ShouldBe(FunnelStage.Purchased);
        bought.Totals.StoreVisits.ShouldBe(1);
        bought.Totals.Revenue.ShouldBe(1_500_000);
        bought.Traits["name"].ShouldBe("Trần Thị Mai");
        bought.DroppedOffAt.ShouldBeNull();
    }

    [Fact]
    public async Task AVisitorWhoStopsAfterContactingHasDroppedOffThere()
    {
        const string phone = "+84901110002";
        await cluster.ApplyAsync(_make.Page("anon-2", "/"), _make.Identify("anon-2", phone));

        (await ProfileByPhoneAsync(phone)).DroppedOffAt.ShouldBeNull();
        ClusterFixture.Clock.Advance(TimeSpan.FromDays(8));

        (await ProfileByPhoneAsync(phone)).DroppedOffAt.ShouldBe(FunnelStage.Contacted);
    }

    [Fact]
    public async Task ScoreRisesWithIntentAndHalvesAfterAHalfLife()
    {
        const string phone = "+84901110003";
        await cluster.ApplyAsync(_make.Page("anon-3", "/"));
        var browsing = await ProfileByAnonymousAsync("anon-3");

        await cluster.ApplyAsync(_make.Page("anon-3", "/bang-gia"), _make.Track("anon-3", SegmentEvents.ChatStarted), _make.Identify("anon-3", phone));
        var engaged = await ProfileByAnonymousAsync("anon-3");
        engaged.LeadScore.ShouldBeGreaterThan(browsing.LeadScore + 20);
        engaged.ScoreReasons[0].ShouldBe(ScoreReason.Contact);

        ClusterFixture.Clock.Advance(new ScoringOptions().HalfLife);
        var later = await ProfileByAnonymousAsync("anon-3");
        later.LeadScore.ShouldBeInRange(engaged.LeadScore / 2 - 1, engaged.LeadScore / 2 + 1);
    }

    [Fact]
    public async Task DuplicateMessageIdIsCountedOnce()
    {
        var view = _make.Page("anon-4", "/");
        var (applied, _) = await cluster.ApplyAsync(view, view);
        var (again, duplicates) = await cluster.ApplyAsync(view);

        applied.ShouldBe(1);
        again.ShouldBe(0);
        duplicates.ShouldBe(1);
        (await ProfileByAnonymousAsync("anon-4")).Totals.PageViews.ShouldBe(1);
    }

    [Fact]
    public async Task AnonymousHistoryMergesIntoTheKnownPersonWhenTheyIdentify()
    {
        const string phone = "+84901110005";
        // The person is known from a store visit; later they browse anonymously and leave their phone.
        await cluster.ApplyAsync(_make.CheckIn("HN01", phone));
        await cluster.ApplyAsync(_make.Page("anon-5", "/", FacebookAd), _make.Page("anon-5", "/san-pham/giay"));
        var anonymous = await ProfileByAnonymousAsync("anon-5");
        var known = await ProfileByPhoneAsync(phone);
        anonymous.ProfileId.ShouldNotBe(known.ProfileId);

        await cluster.ApplyAsync(_make.Identify("anon-5", phone, "Lê Văn Hùng"));

        var merged = await ProfileByPhoneAsync(phone);
        merged.ProfileId.ShouldBe(known.ProfileId);
        (await ProfileByAnonymousAsync("anon-5")).ProfileId.ShouldBe(known.ProfileId);
        merged.Totals.PageViews.ShouldBe(2);
        merged.Totals.StoreVisits.ShouldBe(1);
        merged.OnlineTouches.ShouldContain(t => t.Touch.Campaign == "tet_sale");
        merged.Identities.ShouldContain("anon:anon-5");
        // Reading the old anonymous profile id follows it to the person.
        (await Grain(anonymous.ProfileId).GetAsync())!.ProfileId.ShouldBe(known.ProfileId);
    }

    [Fact]
    public async Task TwoIdentifiedPeopleAreNeverMerged()
    {
        const string phoneA = "+84901110006", phoneB = "+84901110007";
        await cluster.ApplyAsync(_make.Identify("anon-6a", phoneA, userId: "user-a"));
        await cluster.ApplyAsync(_make.Identify("anon-6b", phoneB, userId: "user-b"));

        // A shared family laptop: user A signs in but the form carries B's phone.
        await cluster.ApplyAsync(_make.Identify("anon-6a", phoneB, userId: "user-a"));

        var a = await ProfileByPhoneAsync(phoneA);
        var b = await ProfileByPhoneAsync(phoneB);
        a.ProfileId.ShouldNotBe(b.ProfileId);
        a.Identities.ShouldNotContain($"phone:{phoneB}");
        b.Identities.ShouldContain("user:user-b");
    }

    [Fact]
    public async Task CampaignCountsUniquePeoplePerStepByContent()
    {
        var other = FacebookAd with { Content = "carousel_b" };
        await cluster.ApplyAsync(
            _make.Page("anon-7a", "/", FacebookAd),
            _make.Page("anon-7a", "/", FacebookAd), // a second visit is the same person
            _make.Page("anon-7b", "/", other),
            _make.Page("anon-7b", "/bang-gia"),
            _make.Identify("anon-7b", "+84901110008"));

        var report = await cluster.Grains.GetGrain<ICampaignGrain>(TenantKey.Compose(_make.Tenant, "tet_sale")).GetReportAsync();

        report.Total.Steps.Single(s => s.Stage == FunnelStage.Visited).Reached.ShouldBe(2);
        report.Total.Steps.Single(s => s.Stage == FunnelStage.Contacted).Reached.ShouldBe(1);
        report.Breakdown.Single(b => b.Content == "carousel_b").Funnel.Steps.Single(s => s.Stage == FunnelStage.Contacted).Reached.ShouldBe(1);
        report.Breakdown.Single(b => b.Content == "video_a").Funnel.Steps.Single(s => s.Stage == FunnelStage.Contacted).Reached.ShouldBe(0);
    }

    [Fact]
    public async Task StoreCountsCheckInsByMethodVisitorsAndAnonymousOrders()
    {
        await cluster.ApplyAsync(
            _make.CheckIn("DN01", "+84901110009", CheckInMethod.Wifi),
            _make.CheckIn("DN01", "+84901110010", CheckInMethod.Qr),
            _make.Order("DN01", "+84901110010", 300_000),
            _make.Order("DN01", null, 120_000, "anon-order-1"),
            _make.Order("DN01", null, 120_000, "anon-order-1")); // the POS sent it twice

        var store = await cluster.Grains.GetGrain<IStoreGrain>(TenantKey.Compose(_make.Tenant, "DN01")).GetReportAsync();

        store.CheckInsByMethod[CheckInMethod.Wifi].ShouldBe(1);
        store.CheckInsByMethod[CheckInMethod.Qr].ShouldBe(1);
        store.Orders.ShouldBe(2);
        store.AnonymousOrders.ShouldBe(1);
        store.Revenue.ShouldBe(420_000);
        store.Funnel[FunnelStage.StoreVisited].ShouldBe(2);
        store.Funnel[FunnelStage.Purchased].ShouldBe(1);
        store.VisitorsToday.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task AWebFormAndAStoreCheckInArrivingTogetherAreOnePerson()
    {
        const string phone = "+84901110012";
        // One batch: the web form identifies the browser while the store checks the same phone in.
        await cluster.ApplyAsync(_make.Page("anon-12", "/", FacebookAd), _make.Identify("anon-12", phone), _make.CheckIn("HN01", phone));

        var byPhone = await ProfileByPhoneAsync(phone);
        var byDevice = await ProfileByAnonymousAsync("anon-12");
        byDevice.ProfileId.ShouldBe(byPhone.ProfileId);
        byPhone.Totals.Events.ShouldBe(3);
        byPhone.Stage.ShouldBe(FunnelStage.StoreVisited);
    }

    [Fact]
    public async Task AnErasedPersonIsForgottenEverywhereButTheCounts()
    {
        const string phone = "+84901110011";
        await cluster.ApplyAsync(_make.Page("anon-11", "/", FacebookAd), _make.Identify("anon-11", phone, "Đỗ Thị Hoa"), _make.CheckIn("HCM02", phone));
        var person = await ProfileByPhoneAsync(phone);
        var board = cluster.Grains.GetGrain<O2O.Grains.Leads.ILeadBoardGrain>(TenantKey.Compose(_make.Tenant, "HCM02"));
        (await board.GetTopAsync(10)).ShouldContain(l => l.ProfileId == person.ProfileId);

        person.Identities.ShouldContain("anon:anon-11");
        // The device leads to the person (its derived profile forwards there, when the check-in's phone won the race).
        (await ProfileByAnonymousAsync("anon-11")).ProfileId.ShouldBe(person.ProfileId);
        (await Grain(person.ProfileId).EraseAsync()).ShouldNotBeNull();

        (await Grain(person.ProfileId).GetAsync()).ShouldBeNull();
        (await cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetProfileAsync()).ShouldBeNull();
        (await cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Anonymous, "anon-11"), TestSecrets.Pseudonyms)).GetProfileAsync()).ShouldBeNull();
        (await board.GetTopAsync(10)).ShouldNotContain(l => l.ProfileId == person.ProfileId);
        var campaign = await cluster.Grains.GetGrain<ICampaignGrain>(TenantKey.Compose(_make.Tenant, "tet_sale")).GetReportAsync();
        campaign.Total.Steps.Single(s => s.Stage == FunnelStage.StoreVisited).Reached.ShouldBe(1);
    }

    private ICustomerGrain Grain(string profileId) => cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId));

    private Task<ProfileView> ProfileByPhoneAsync(string phone) => ProfileAsync(new Identifier(IdentifierKind.Phone, phone));

    private Task<ProfileView> ProfileByAnonymousAsync(string anonymousId) => ProfileAsync(new Identifier(IdentifierKind.Anonymous, anonymousId));

    private async Task<ProfileView> ProfileAsync(Identifier id)
    {
        var profileId = await cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, id, TestSecrets.Pseudonyms)).GetProfileAsync();
        profileId.ShouldNotBeNull($"nobody owns {id}");
        var view = await Grain(profileId).GetAsync();
        view.ShouldNotBeNull();
        return view;
    }
}
