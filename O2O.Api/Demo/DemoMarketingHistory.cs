using Microsoft.Extensions.Options;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Grains.Spend;

namespace O2O.Api.Demo;

/// <summary>
/// Sixty days of demo history for the marketers' dashboard: daily spend per channel, and shoppers
/// whose ad clicks, store visits and purchases follow that spend with diminishing returns (plus
/// walk-ins with no touch). Events go through the same feed as live traffic, timestamped in the past,
/// so attribution and the what-if are computed exactly as for real data.
/// </summary>
public sealed partial class DemoMarketingHistory(
    IEventFeed feed,
    IGrainFactory grains,
    IOptions<DemoOptions> options,
    TimeProvider clock,
    ILogger<DemoMarketingHistory> logger) : BackgroundService
{
    public const int Days = 60;

    private static readonly string[] Stores = ["HCM01", "HCM02", "HN01", "DN01"];

    /// <summary>Channel, campaign, contents, audiences, typical daily spend (VND), visits per day at saturation scale.</summary>
    private static readonly (string Channel, string Campaign, string[] Contents, string[] Audiences, long DailySpend, double Lift)[] Channels =
    [
        ("facebook", "fb_tet_sale", ["video_15s", "carousel_combo"], ["lookalike_1pct", "retarget_30d"], 12_000_000, 9),
        ("youtube", "yt_new_arrivals", ["bumper_6s", "instream_30s"], ["in_market_fashion"], 8_000_000, 4),
        ("google", "gg_search_brand", ["brand_exact", "brand_broad"], ["search"], 6_000_000, 6),
        ("zalo", "zalo_oa_member", ["zns_voucher", "oa_article"], ["oa_followers"], 3_000_000, 3),
        ("tiktok", "tt_livestream", ["live_clip"], ["gen_z_hcm"], 5_000_000, 4),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tenant = options.Value.Tenant;
        var random = new Random(2026);
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        var spend = new List<SpendRow>();
        var events = new List<CustomerEvent>();
        for (var d = Days; d >= 1; d--)
        {
            var day = today.AddDays(-d);
            var opening = new DateTimeOffset(day.Year, day.Month, day.Day, 9, 0, 0, ReportCalendar.Offset);
            foreach (var c in Channels)
            {
                var amount = (long)(c.DailySpend * (0.3 + 1.4 * random.NextDouble()) / 1000) * 1000;
                spend.Add(new SpendRow(day, c.Channel, c.Campaign, null, null, amount));
                var expected = c.Lift * Math.Log(1 + (double)amount / c.DailySpend);
                var visitors = Math.Max(0, (int)Math.Round(expected + (random.NextDouble() - 0.5) * 2));
                for (var v = 0; v < visitors; v++)
                {
                    Journey(events, random, tenant, opening.AddMinutes(random.Next(0, 600)), c.Channel, c.Campaign, c.Contents[random.Next(c.Contents.Length)], c.Audiences[random.Next(c.Audiences.Length)]);
                }
            }
            for (var w = random.Next(4, 10); w > 0; w--)
            {
                Journey(events, random, tenant, opening.AddMinutes(random.Next(0, 600)), null, null, null, null);
            }
        }
        await grains.GetGrain<ISpendGrain>(tenant).RecordAsync(spend);
        foreach (var chunk in events.Chunk(200))
        {
            while (!(await feed.PublishAsync(chunk, stoppingToken)).Accepted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), clock, stoppingToken);
            }
        }
        LogSeeded(Days, events.Count, tenant);
    }

    private static void Journey(List<CustomerEvent> events, Random random, string tenant, DateTimeOffset at, string? channel, string? campaign, string? content, string? audience)
    {
        var id = "hist-" + random.NextInt64().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var phone = "+8490" + random.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var store = Stores[random.Next(Stores.Length)];
        CustomerEvent New(EventType type, DateTimeOffset when, string suffix) => new()
        {
            MessageId = $"{id}-{suffix}",
            Tenant = tenant,
            Type = type,
            Timestamp = when,
            AnonymousId = id,
        };
        if (channel is not null)
        {
            events.Add(New(EventType.Page, at, "page") with
            {
                Path = "/",
                Touch = new AdTouch { Source = channel, Medium = "paid", Campaign = campaign, Content = content, Audience = audience },
                DurationSeconds = random.Next(20, 200),
            });
            events.Add(New(EventType.Identify, at.AddMinutes(3), "identify") with { Phone = phone });
        }
        var visit = at.AddHours(channel is null ? 0 : random.Next(1, 6));
        events.Add(New(EventType.CheckIn, visit, "visit") with { StoreId = store, CheckInMethod = CheckInMethod.Qr, Phone = phone });
        if (random.NextDouble() < 0.55)
        {
            var orderId = $"{store}-{id}";
            events.Add(New(EventType.Order, visit.AddMinutes(20), "order") with
            {
                MessageId = "order:1:" + orderId,
                Name = SegmentEvents.OrderCompleted,
                StoreId = store,
                Phone = phone,
                Order = new OrderInfo { OrderId = orderId, Source = OrderSource.Pos, Total = random.Next(2, 40) * 50_000L, Items = [] },
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo history: {Days} days, {Events} events into tenant {Tenant}")]
    private partial void LogSeeded(int days, int events, string tenant);
}
