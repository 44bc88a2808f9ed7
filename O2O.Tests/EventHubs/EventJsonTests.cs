using System.Text;
using O2O.Grains.Events;

namespace O2O.Tests.EventHubs;

public sealed class EventJsonTests
{
    private static readonly CustomerEvent Order = new()
    {
        MessageId = "order:1:HD-1001",
        Tenant = "shop",
        Type = EventType.Order,
        Name = SegmentEvents.OrderCompleted,
        Timestamp = new DateTimeOffset(2026, 11, 2, 10, 30, 0, TimeSpan.FromHours(7)),
        Phone = "+84901234567",
        StoreId = "HCM01",
        Traits = new Dictionary<string, string> { ["name"] = "Nguyễn Thị Hồng" },
        Touch = new AdTouch { Source = "facebook", Campaign = "tet", ClickIdType = "fbclid" },
        Order = new OrderInfo { OrderId = "HD-1001", Source = OrderSource.Pos, Total = 1_250_000, Items = [new OrderItem("AO-01", "Áo dài", 1, 1_250_000)] },
        TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    };

    [Fact]
    public void AnEventSurvivesTheWireUnchanged()
    {
        EventJson.TryDeserialize(EventJson.Serialize(Order), out var back, out var reason).ShouldBeTrue(reason);

        back.ShouldNotBeNull();
        back.MessageId.ShouldBe(Order.MessageId);
        back.Timestamp.ShouldBe(Order.Timestamp);
        back.Traits!["name"].ShouldBe("Nguyễn Thị Hồng");
        back.Order!.Items[0].ShouldBe(Order.Order!.Items[0]);
        back.Touch.ShouldBe(Order.Touch);
        back.RoutingKey.ShouldBe(Order.RoutingKey);
        back.TraceParent.ShouldBe(Order.TraceParent);
    }

    [Fact]
    public void TheEnvelopeCarriesItsVersionAndNamesEnumsInWords()
    {
        var json = Encoding.UTF8.GetString(EventJson.Serialize(Order));

        json.ShouldStartWith("{\"v\":1,");
        json.ShouldContain("\"type\":\"Order\"");
        json.ShouldNotContain("routingKey");
    }

    [Theory]
    [InlineData("", "empty message")]
    [InlineData("not json", "not a valid event envelope")]
    [InlineData("""{"v":2,"event":{"messageId":"m","tenant":"t","type":"Page","timestamp":"2026-11-02T10:00:00+07:00"}}""", "unsupported envelope version 2")]
    [InlineData("""{"v":1,"event":null}""", "the envelope has no event")]
    [InlineData("""{"v":1,"event":{"tenant":"t","type":"Page","timestamp":"2026-11-02T10:00:00+07:00"}}""", "messageId")]
    [InlineData("""{"v":1,"event":{"messageId":"m","tenant":"t","type":"Teleport","timestamp":"2026-11-02T10:00:00+07:00"}}""", "not a valid event envelope")]
    public void AMalformedMessageIsRefusedWithAReason(string wire, string reason)
    {
        EventJson.TryDeserialize(Encoding.UTF8.GetBytes(wire), out var e, out var why).ShouldBeFalse();
        e.ShouldBeNull();
        why.ShouldNotBeNull().ShouldContain(reason);
    }
}
