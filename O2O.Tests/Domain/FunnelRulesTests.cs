using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Tests.Domain;

public sealed class FunnelRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<CustomerEvent, FunnelStage> Stages => new()
    {
        { Event(EventType.Track) with { Name = SegmentEvents.AdClicked, Touch = new AdTouch { Source = "facebook" } }, FunnelStage.Aware },
        { Event(EventType.Page) with { Path = "/" }, FunnelStage.Visited },
        { Event(EventType.Page) with { Path = "/san-pham/ao-dai" }, FunnelStage.Engaged },
        { Event(EventType.Track) with { Name = "product viewed" }, FunnelStage.Engaged },
        { Event(EventType.Track) with { Name = SegmentEvents.FormSubmitted }, FunnelStage.Contacted },
        { Event(EventType.Identify) with { Phone = "+84901234567" }, FunnelStage.Contacted },
        { Event(EventType.Identify) with { Traits = new Dictionary<string, string> { ["city"] = "HCM" } }, FunnelStage.None },
        { Event(EventType.CheckIn) with { StoreId = "HCM01" }, FunnelStage.StoreVisited },
        { Event(EventType.Order) with { Order = new OrderInfo { OrderId = "1", Source = OrderSource.Pos, Total = 1 } }, FunnelStage.Purchased },
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public void EachEventProvesItsStage(CustomerEvent e, FunnelStage expected) =>
        FunnelRules.StageOf(e).ShouldBe(expected);

    [Fact]
    public void APersonWhoStopsMovingHasDroppedOffAtTheirStage()
    {
        var week = TimeSpan.FromDays(7);
        FunnelRules.DropOff(FunnelStage.Contacted, T0, T0.AddDays(3), week).ShouldBeNull();
        FunnelRules.DropOff(FunnelStage.Contacted, T0, T0.AddDays(8), week).ShouldBe(FunnelStage.Contacted);
        FunnelRules.DropOff(FunnelStage.Purchased, T0, T0.AddDays(30), week).ShouldBeNull();
    }

    [Fact]
    public void FunnelReportGivesConversionAndDropOffPerStep()
    {
        var report = FunnelReport.From([100, 80, 40, 10, 5, 2]);

        report.Steps[1].ConversionFromPrevious.ShouldBe(0.8);
        report.Steps[2].DroppedOff.ShouldBe(30);
        report.Steps[5].DroppedOff.ShouldBe(0);
        report.BiggestDropOff.ShouldBe(FunnelStage.Visited);
    }

    private static CustomerEvent Event(EventType type) =>
        new() { MessageId = "m", Tenant = "t", Type = type, Timestamp = T0, AnonymousId = "a" };
}
