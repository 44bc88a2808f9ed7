using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Profiles;
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

    private Task<DaySlice> DayAsync() =>
        cluster.Grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(_make.Tenant, ReportCalendar.DayOf(_make.Now)))
            .GetAsync(AttributionModel.LastTouch, TouchDimension.Channel);
}
