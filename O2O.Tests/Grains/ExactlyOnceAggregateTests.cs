using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Grains.Stores;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Grains;

/// <summary>
/// A batch that fails anywhere between the profile's write and the aggregates' writes, and is then
/// retried or replayed whole, changes every campaign, store and attribution day exactly once.
/// Faults are injected into real grain calls on the test cluster (<see cref="GrainFaults"/>).
/// </summary>
public sealed class ExactlyOnceAggregateTests(ClusterFixture cluster)
{
    private static readonly AdTouch Ad = new() { Source = "facebook", Medium = "paid_social", Campaign = "tet_sale", Content = "video_a", ClickIdType = "fbclid" };
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task ReplayingAnAppliedBatchChangesNoAggregate()
    {
        var batch = Journey("anon-r", "+84901230001", "HCM01");
        await cluster.Applier.ApplyAsync(batch);
        await cluster.Applier.ApplyAsync(batch);

        await ShouldBeCountedOnceAsync("HCM01", people: 1);
    }

    [Theory]
    [InlineData(nameof(ICampaignGrain.RecordAsync), GrainFaults.When.BeforeCall)]
    [InlineData(nameof(ICampaignGrain.RecordAsync), GrainFaults.When.AfterCall)]
    [InlineData(nameof(ICustomerGrain.AcknowledgeAsync), GrainFaults.When.BeforeCall)]
    [InlineData(nameof(ICustomerGrain.AcknowledgeAsync), GrainFaults.When.AfterCall)]
    public async Task ABatchThatFailedAfterTheProfileWroteIsCountedOnceWhenRetried(string method, GrainFaults.When when)
    {
        // RecordAsync is the name of the campaign, store and attribution-day calls alike: all of them fail once.
        var batch = Journey("anon-f", "+84901230002", "HCM02");
        GrainFaults.Fail(_make.Tenant, method, when, times: method == nameof(ICampaignGrain.RecordAsync) ? 3 : 1);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync(batch));
        var (applied, duplicates) = await cluster.Applier.ApplyAsync(batch);

        applied.ShouldBe(0, "the profile applied and stored the events on the first attempt");
        duplicates.ShouldBe(batch.Length);
        await ShouldBeCountedOnceAsync("HCM02", people: 1);
    }

    [Fact]
    public async Task OneFailingPersonDoesNotCostTheOthersTheirAggregateChanges()
    {
        // Two people in one batch; the store hears about both in one call, which fails once after
        // the first profile wrote. Before owed deliveries, the retry saw both as duplicates and forwarded nothing.
        var batch = Journey("anon-a", "+84901230003", "DN01").Concat(Journey("anon-b", "+84901230004", "DN01")).ToArray();
        GrainFaults.Fail(_make.Tenant, nameof(IStoreGrain.RecordAsync), GrainFaults.When.BeforeCall, times: 1);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync(batch));
        await cluster.Applier.ApplyAsync(batch);
        await cluster.Applier.ApplyAsync(batch);

        await ShouldBeCountedOnceAsync("DN01", people: 2);
    }

    [Fact]
    public async Task AChangeStillOwedIsDeliveredWithThePersonsNextBatchWhenTheReplayNeverCame()
    {
        var first = Journey("anon-n", "+84901230005", "HN01");
        GrainFaults.Fail(_make.Tenant, nameof(IStoreGrain.RecordAsync), GrainFaults.When.BeforeCall, times: 1);
        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync(first));

        // Not the same batch: the person's next event carries what the first batch still owed.
        await cluster.ApplyAsync(_make.Page("anon-n", "/cam-on"));

        await ShouldBeCountedOnceAsync("HN01", people: 1);
    }

    [Fact]
    public async Task ADueWheelEntryWhoseDeliveryFailedIsDeliveredByTheRetry()
    {
        // A first purchase puts the person in segments that change with time alone, so the profile owes
        // its tenant's due wheel an entry, delivered with the batch's other changes after the profile's write.
        var sale = _make.Order("HCM05", "+84901230010", 2_500_000);
        GrainFaults.Fail(_make.Tenant, nameof(IDueWheelGrain.AddAllAsync), GrainFaults.When.BeforeCall);
        var clock = cluster.Grains.GetGrain<ITenantClockGrain>(_make.Tenant);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([sale]));
        (await clock.GetPendingAsync()).ContainsKey(WheelKind.Segments).ShouldBeFalse("the wheel's call failed, so no bucket holds the person yet");
        var (applied, duplicates) = await cluster.Applier.ApplyAsync([sale]);

        (applied, duplicates).ShouldBe((0, 1), "the profile stored the order on the first attempt");
        await Eventually.TrueAsync(async () => (await clock.GetPendingAsync()).ContainsKey(WheelKind.Segments), "a segments bucket is registered");
        var buckets = (await clock.GetPendingAsync())[WheelKind.Segments];
        var members = await Task.WhenAll(buckets.Select(b => cluster.Grains.GetGrain<IDueWheelGrain>(DueWheel.Key(_make.Tenant, WheelKind.Segments, b)).CountAsync()));
        members.Sum().ShouldBe(1, "the retry delivered the entry the first attempt owed, to one bucket");
        (await cluster.Grains.GetGrain<IStoreGrain>(TenantKey.Compose(_make.Tenant, "HCM05")).GetReportAsync()).Orders.ShouldBe(1);
    }

    [Fact]
    public async Task ABatchWhoseProfileFailedBeforeItsWriteIsAppliedWhenRetried()
    {
        // A new anonymous visitor's profile applies the events in memory, then lists itself for
        // retention and only then writes. When that listing fails (storage, a timeout), the retry must
        // not meet an activation that marked the events seen without ever storing them.
        var view = _make.Page("anon-w", "/", Ad);
        GrainFaults.Fail(_make.Tenant, nameof(IRetentionDayGrain.AddAsync), GrainFaults.When.BeforeCall);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([view]));
        var (applied, _) = await cluster.Applier.ApplyAsync([view]);

        applied.ShouldBe(1, "the failed attempt stored nothing, so the retry applies the event");
        var campaign = await cluster.Grains.GetGrain<ICampaignGrain>(TenantKey.Compose(_make.Tenant, Ad.CampaignKey)).GetReportAsync();
        campaign.Total.Steps.Single(s => s.Stage == FunnelStage.Aware).Reached.ShouldBe(1);
    }

    [Fact]
    public async Task AFullOutboxHoldsThePersonsNewEventsBackUntilTheAggregatesTakeWhatIsOwedAndLosesNone()
    {
        // The aggregates' storage is down: each of one person's check-ins is stored by the profile and
        // owed to the store, the campaign funnel and the attribution day, one delivery per batch.
        var max = new ProfileOptions().MaxOwedDeliveries;
        var checkIns = Enumerable.Range(0, max + 1).Select(_ => _make.CheckIn("HCM04", "+84901230009")).ToList();
        GrainFaults.Fail(_make.Tenant, nameof(IStoreGrain.RecordAsync), GrainFaults.When.BeforeCall, times: int.MaxValue);
        foreach (var checkIn in checkIns)
        {
            await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([checkIn]));
        }

        var profile = await ProfileAsync("+84901230009");
        profile.Totals.StoreVisits.ShouldBe(max, "the last check-in found the outbox full and was held back, not applied");

        // Storage is back. The retry delivers what was owed, then says the held-back event is still to apply.
        GrainFaults.Clear(_make.Tenant, nameof(IStoreGrain.RecordAsync));
        var full = await Should.ThrowAsync<OutboxFullException>(() => cluster.Applier.ApplyAsync([checkIns[^1]]));
        full.HeldBack.ShouldBe(1);
        var (applied, _) = await cluster.Applier.ApplyAsync([checkIns[^1]]);

        applied.ShouldBe(1);
        (await ProfileAsync("+84901230009")).Totals.StoreVisits.ShouldBe(max + 1);
        var store = await cluster.Grains.GetGrain<IStoreGrain>(TenantKey.Compose(_make.Tenant, "HCM04")).GetReportAsync();
        store.CheckIns.ShouldBe(max + 1, "every check-in reached the store once");
    }

    [Fact]
    public async Task AnAnonymousOrderReplayedIsCountedOnceForItsStoreAndDay()
    {
        var sale = _make.Order("HCM03", phone: null, 250_000);
        GrainFaults.Fail(_make.Tenant, nameof(IAttributionDayGrain.RecordAsync), GrainFaults.When.AfterCall, times: 1);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([sale]));
        await cluster.Applier.ApplyAsync([sale]);
        await cluster.Applier.ApplyAsync([sale]);

        var store = await cluster.Grains.GetGrain<IStoreGrain>(TenantKey.Compose(_make.Tenant, "HCM03")).GetReportAsync();
        store.Orders.ShouldBe(1);
        store.AnonymousOrders.ShouldBe(1);
        store.CheckIns.ShouldBe(1, "an anonymous POS sale counts as one visit");
        var day = await DayAsync();
        var conversions = day.Stores.Single(s => s.StoreId == "HCM03");
        conversions.Purchases.ShouldBe(1);
        conversions.Visits.ShouldBe(1);
        conversions.Revenue.ShouldBe(250_000);
    }

    /// <summary>Sees an ad, browses, leaves a phone, walks into the store and buys.</summary>
    private CustomerEvent[] Journey(string anonymousId, string phone, string store) =>
    [
        // The ad an hour before the visit, so the visit and the purchase credit it.
        _make.Page(anonymousId, "/", Ad) with { Timestamp = _make.Now.AddHours(-1) },
        _make.Page(anonymousId, "/san-pham/ao-dai"),
        _make.Identify(anonymousId, phone, "Lê Thu"),
        // Same device, so the batch resolves the whole journey to one person in order.
        _make.CheckIn(store, phone) with { AnonymousId = anonymousId },
        _make.Order(store, phone, 1_000_000) with { AnonymousId = anonymousId },
    ];

    private async Task ShouldBeCountedOnceAsync(string store, int people)
    {
        var campaign = await cluster.Grains.GetGrain<ICampaignGrain>(TenantKey.Compose(_make.Tenant, Ad.CampaignKey)).GetReportAsync();
        campaign.Total.Steps.Select(s => (s.Stage, s.Reached)).ShouldBe(FunnelStages.All.Select(s => (s, (long)people)));

        var report = await cluster.Grains.GetGrain<IStoreGrain>(TenantKey.Compose(_make.Tenant, store)).GetReportAsync();
        report.CheckIns.ShouldBe(people);
        report.Orders.ShouldBe(people);
        report.Revenue.ShouldBe(people * 1_000_000L);
        report.Funnel[FunnelStage.StoreVisited].ShouldBe(people);
        report.Funnel[FunnelStage.Purchased].ShouldBe(people);

        var day = await DayAsync();
        var conversions = day.Stores.Single(s => s.StoreId == store);
        conversions.Visits.ShouldBe(people);
        conversions.Purchases.ShouldBe(people);
        conversions.Revenue.ShouldBe(people * 1_000_000L);
        day.Credit.Sum(c => c.PurchaseCredit).ShouldBe(people * 1_000_000L, "each purchase is credited once, in millionths");
        day.Credit.Sum(c => c.VisitCredit).ShouldBe(people * 1_000_000L, "each visit is credited once, in millionths");
        day.Funnels.Single(f => f.Scope == FunnelScope.Campaign && f.Id == Ad.CampaignKey).Reached[0].ShouldBe(people);
    }

    private async Task<ProfileView> ProfileAsync(string phone)
    {
        var id = IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms);
        var profileId = await cluster.Grains.Identity(id).GetProfileAsync();
        return (await cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId!)).GetAsync())!;
    }

    private Task<DaySlice> DayAsync() =>
        cluster.Grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(_make.Tenant, ReportCalendar.DayOf(_make.Now)))
            .GetAsync(AttributionModel.LastTouch, TouchDimension.Channel);
}
