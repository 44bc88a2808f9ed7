using Microsoft.Extensions.Options;
using O2O.Api.Ingestion;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Tests.Ingestion;

/// <summary>Where the in-process feed queues events: check-ins apart from the web's traffic, a device's events together.</summary>
public sealed class InProcessEventFeedTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CheckInsNeverQueueBehindPageViews()
    {
        var feed = Feed();
        var pages = Enumerable.Range(0, 200).Select(i => Event(EventType.Page, anonymousId: $"visitor-{i}")).ToList();
        var checkIns = Enumerable.Range(0, 50).Select(i => Event(EventType.CheckIn, phone: $"+8490{i:D7}")).ToList();

        (await feed.PublishAsync([.. pages, .. checkIns], CancellationToken.None)).ShouldBe(FeedAdmission.Ok);

        var queued = Drain(feed);
        for (var p = 0; p < queued.Count; p++)
        {
            if (feed.IsCheckInPartition(p))
            {
                queued[p].ShouldAllBe(e => e.Type == EventType.CheckIn);
            }
            else
            {
                queued[p].ShouldNotContain(e => e.Type == EventType.CheckIn);
            }
        }
        queued.Where((_, p) => feed.IsCheckInPartition(p)).Sum(q => q.Count).ShouldBe(50);
    }

    [Fact]
    public async Task ACheckInThatNamesItsDeviceStaysInOrderWithThatDevicesPageViews()
    {
        var feed = Feed();
        var before = Event(EventType.Page, anonymousId: "phone-browser-1", messageId: "m1");
        var checkIn = Event(EventType.CheckIn, anonymousId: "phone-browser-1", phone: "+84901234567", messageId: "m2");
        var after = Event(EventType.Page, anonymousId: "phone-browser-1", messageId: "m3");

        await feed.PublishAsync([before, checkIn, after], CancellationToken.None);

        var partition = Drain(feed).Single(q => q.Count > 0);
        partition.Select(e => e.MessageId).ShouldBe(["m1", "m2", "m3"]);
    }

    private static InProcessEventFeed Feed() =>
        new(Options.Create(new InProcessFeedOptions { Partitions = 4, CheckInPartitions = 2 }));

    private static List<List<CustomerEvent>> Drain(InProcessEventFeed feed) =>
        [.. feed.Partitions.Select(reader =>
        {
            var events = new List<CustomerEvent>();
            while (reader.TryRead(out var e))
            {
                events.Add(e);
            }
            return events;
        })];

    private static CustomerEvent Event(EventType type, string? anonymousId = null, string? phone = null, string? messageId = null) => new()
    {
        MessageId = messageId ?? Guid.NewGuid().ToString("N"),
        Tenant = "t",
        Type = type,
        Timestamp = At,
        AnonymousId = anonymousId,
        Phone = phone,
        StoreId = type == EventType.CheckIn ? "HCM01" : null,
        CheckInMethod = type == EventType.CheckIn ? CheckInMethod.Qr : null,
    };
}
