using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.MasterData;
using O2O.Grains.Orders;
using O2O.Grains.Profiles;
using O2O.Grains.Stores;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Orders;

/// <summary>
/// The order step and the profile together apply each version of an order once: a batch retried
/// after the order grain kept the order but before the profile applied it still reaches the
/// profile, once; a return sent under its sale's message id (as <c>/v1/orders</c> does) is not
/// taken for a replay; the master-data KPIs count each order version once. Faults are injected into
/// real grain calls on the test cluster.
/// </summary>
public sealed class OrderExactlyOnceTests(ClusterFixture cluster)
{
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task ASaleRetriedAfterTheOrderKeptItButBeforeTheProfileAppliedItReachesTheProfileOnce()
    {
        const string phone = "+84901240001";
        var sale = _make.Order("HCM01", phone, 1_200_000, "R-1") with { MessageId = "order:1:R-1" };
        GrainFaults.Fail(_make.Tenant, nameof(ICustomerGrain.ApplyAsync), GrainFaults.When.BeforeCall);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([sale]));
        (await OrderAsync("R-1")).ShouldNotBeNull("the order grain kept the order before the profile failed");
        await cluster.Applier.ApplyAsync([sale]);
        await cluster.Applier.ApplyAsync([sale]);
        // The POS sends it again later under a new message id: same content, nothing new.
        await cluster.Applier.ApplyAsync([sale with { MessageId = "resent-R-1" }]);

        var profile = await ProfileByPhoneAsync(phone);
        profile.Totals.Orders.ShouldBe(1);
        profile.Totals.Revenue.ShouldBe(1_200_000);
        var store = await StoreAsync("HCM01");
        store.Orders.ShouldBe(1);
        store.Revenue.ShouldBe(1_200_000);
        var kpis = await KpisAsync();
        kpis.Total(Kpi.Orders).ShouldBe(1);
        kpis.Total(Kpi.OfflineOrders).ShouldBe(1);
        kpis.Total(Kpi.OfflineIdentifiedAtSale).ShouldBe(1);
        kpis.IdentifiedShare.ShouldBe(1);
    }

    [Fact]
    public async Task ASaleWhoseProfileAnswerWasLostIsNotCountedTwiceWhenRetried()
    {
        const string phone = "+84901240002";
        var sale = _make.Order("HCM01", phone, 800_000, "R-2") with { MessageId = "order:1:R-2" };
        // The profile applied and stored the sale; its answer never came back.
        GrainFaults.Fail(_make.Tenant, nameof(ICustomerGrain.ApplyAsync), GrainFaults.When.AfterCall);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([sale]));
        var (applied, duplicates) = await cluster.Applier.ApplyAsync([sale]);

        applied.ShouldBe(0);
        duplicates.ShouldBe(1, "the profile had this version of the order already");
        var profile = await ProfileByPhoneAsync(phone);
        profile.Totals.Orders.ShouldBe(1);
        profile.Totals.Revenue.ShouldBe(800_000);
        (await KpisAsync()).Total(Kpi.Orders).ShouldBe(1);
    }

    [Fact]
    public async Task AReturnSentUnderItsSalesMessageIdTakesTheSaleBackOnceEvenWhenRetried()
    {
        const string phone = "+84901240003";
        var sale = _make.Order("HCM02", phone, 500_000, "R-3") with { MessageId = "order:1:R-3" };
        var ret = sale with { Order = sale.Order! with { Status = OrderStatus.Returned }, Timestamp = sale.Timestamp.AddHours(2) };
        await cluster.Applier.ApplyAsync([sale]);
        GrainFaults.Fail(_make.Tenant, nameof(ICustomerGrain.ApplyAsync), GrainFaults.When.BeforeCall);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([ret]));
        await cluster.Applier.ApplyAsync([ret]);
        await cluster.Applier.ApplyAsync([ret]);
        // A late replay of the sale after its return changes nothing.
        await cluster.Applier.ApplyAsync([sale]);

        var profile = await ProfileByPhoneAsync(phone);
        profile.Totals.Orders.ShouldBe(0);
        profile.Totals.Revenue.ShouldBe(0);
        (await OrderAsync("R-3"))!.Status.ShouldBe(OrderStatus.Returned);
        var kpis = await KpisAsync();
        kpis.Total(Kpi.Orders).ShouldBe(1);
        kpis.Total(Kpi.Reversed).ShouldBe(1);
        var day = await cluster.Grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(_make.Tenant, ReportCalendar.DayOf(sale.Timestamp)))
            .GetAsync(AttributionModel.LastTouch, TouchDimension.Channel);
        day.Stores.Single(s => s.StoreId == "HCM02").Revenue.ShouldBe(0, "the return took the sale's revenue back once");
    }

    [Fact]
    public async Task AChangedTotalMovesTheRevenueWithoutCountingASecondOrder()
    {
        const string phone = "+84901240004";
        var sale = _make.Order("HCM01", phone, 300_000, "R-4") with { MessageId = "order:1:R-4" };
        var corrected = sale with { Order = sale.Order! with { Total = 350_000 } };
        var returned = corrected with { Order = corrected.Order! with { Status = OrderStatus.Returned } };

        await cluster.Applier.ApplyAsync([sale]);
        await cluster.Applier.ApplyAsync([corrected]);
        await cluster.Applier.ApplyAsync([corrected]);
        var profile = await ProfileByPhoneAsync(phone);
        profile.Totals.Orders.ShouldBe(1);
        profile.Totals.Revenue.ShouldBe(350_000);

        await cluster.Applier.ApplyAsync([returned]);
        profile = await ProfileByPhoneAsync(phone);
        profile.Totals.Orders.ShouldBe(0);
        profile.Totals.Revenue.ShouldBe(0, "the return takes back what was counted, the corrected total");
    }

    [Fact]
    public async Task OrderKpisCountedBeforeAFailureAreNotCountedAgainOnRetry()
    {
        var anonymous = _make.Order("HCM03", phone: null, 200_000, "R-5") with { MessageId = "order:1:R-5" };
        var named = _make.Order("HCM03", "+84901240005", 400_000, "R-6") with { MessageId = "order:1:R-6" };
        // The KPI grain counted, then the store failed: the whole batch is retried.
        GrainFaults.Fail(_make.Tenant, nameof(IStoreGrain.RecordAsync), GrainFaults.When.BeforeCall);

        await Should.ThrowAsync<Exception>(() => cluster.Applier.ApplyAsync([anonymous, named]));
        await cluster.Applier.ApplyAsync([anonymous, named]);
        await cluster.Applier.ApplyAsync([anonymous, named]);

        var kpis = await KpisAsync();
        kpis.Total(Kpi.Orders).ShouldBe(2);
        kpis.Total(Kpi.OfflineOrders).ShouldBe(2);
        kpis.Total(Kpi.OfflineIdentifiedAtSale).ShouldBe(1);
        kpis.IdentifiedShare.ShouldBe(0.5);
        var store = await StoreAsync("HCM03");
        store.Orders.ShouldBe(2);
        store.AnonymousOrders.ShouldBe(1);
    }

    [Fact]
    public async Task AKpiDeliveryAddedTwiceCountsOnce()
    {
        var grain = cluster.Grains.GetGrain<IMasterDataKpiGrain>(_make.Tenant);
        var day = ReportCalendar.DayOf(_make.Now);

        await grain.AddOnceAsync("scan:B-1", new KpiDelta(day, Kpi.BillScans, 1));
        await grain.AddOnceAsync("scan:B-1", new KpiDelta(day, Kpi.BillScans, 1));
        await grain.AddAsync([
            new KpiDelivery("otp-sent:m1", [new KpiDelta(day, Kpi.OtpSent, 1)]),
            new KpiDelivery("otp-verified:B-1", [new KpiDelta(day, Kpi.OtpVerified, 1)]),
            new KpiDelivery("message-sent:m2", [new KpiDelta(day, Kpi.MessagesSent, 1), new KpiDelta(day, Kpi.MessageCost, 300)]),
            new KpiDelivery("referral-sent:GT1", [new KpiDelta(day, Kpi.ReferralsSent, 1)]),
        ]);
        await grain.AddAsync([
            new KpiDelivery("otp-sent:m1", [new KpiDelta(day, Kpi.OtpSent, 1)]),
            new KpiDelivery("otp-verified:B-1", [new KpiDelta(day, Kpi.OtpVerified, 1)]),
            new KpiDelivery("message-sent:m2", [new KpiDelta(day, Kpi.MessagesSent, 1), new KpiDelta(day, Kpi.MessageCost, 300)]),
            new KpiDelivery("referral-sent:GT1", [new KpiDelta(day, Kpi.ReferralsSent, 1)]),
            new KpiDelivery("otp-sent:m3", [new KpiDelta(day, Kpi.OtpSent, 1)]),
        ]);

        var kpis = await KpisAsync();
        kpis.Total(Kpi.BillScans).ShouldBe(1);
        kpis.Total(Kpi.OtpSent).ShouldBe(2, "a second code really sent is a second count");
        kpis.Total(Kpi.OtpVerified).ShouldBe(1);
        kpis.Total(Kpi.MessagesSent).ShouldBe(1);
        kpis.Total(Kpi.MessageCost).ShouldBe(300);
        kpis.Total(Kpi.ReferralsSent).ShouldBe(1);
    }

    [Fact]
    public void AProfileTakesEachOrderVersionOnceAndAReturnTakesBackWhatWasCounted()
    {
        var s = new ProfileState();
        var sale = _make.Order("HCM01", "+84901240009", 100_000, "P-1") with { OrderStep = new OrderStep(1, OrderEffect.Sale) };

        ProfileOrders.Admit(s, sale).Admission.ShouldBe(OrderAdmission.Apply);
        ProfileOrders.Admit(s, sale).Admission.ShouldBe(OrderAdmission.Seen);
        var change = sale with { Order = sale.Order! with { Total = 150_000 }, OrderStep = new OrderStep(2, OrderEffect.Change) };
        ProfileOrders.Admit(s, change).Admission.ShouldBe(OrderAdmission.RevenueOnly);
        s.Totals.Revenue.ShouldBe(50_000, "only the difference is added");
        var reversal = change with { Order = change.Order! with { Status = OrderStatus.Returned, Total = 999 }, OrderStep = new OrderStep(3, OrderEffect.Reversal) };
        var (admission, effective) = ProfileOrders.Admit(s, reversal);
        admission.ShouldBe(OrderAdmission.Apply);
        effective.Order!.Total.ShouldBe(150_000);
        ProfileOrders.Admit(s, reversal).Admission.ShouldBe(OrderAdmission.Seen);
    }

    private Task<OrderView?> OrderAsync(string orderId) => new OrderKey(_make.Tenant, orderId).In(cluster.Grains).GetAsync();

    private Task<StoreReport> StoreAsync(string store) => cluster.Grains.GetGrain<IStoreGrain>(TenantKey.Compose(_make.Tenant, store)).GetReportAsync();

    private Task<KpiReport> KpisAsync()
    {
        var day = ReportCalendar.DayOf(_make.Now);
        return cluster.Grains.GetGrain<IMasterDataKpiGrain>(_make.Tenant).GetAsync(day.AddDays(-1), day.AddDays(1));
    }

    private async Task<ProfileView> ProfileByPhoneAsync(string phone)
    {
        var profileId = await cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetProfileAsync();
        profileId.ShouldNotBeNull();
        return (await cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId)).GetAsync())!;
    }
}
