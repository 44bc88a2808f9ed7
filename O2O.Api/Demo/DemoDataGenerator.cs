using System.ComponentModel.DataAnnotations;
using Bogus;
using Microsoft.Extensions.Options;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Api.Demo;

/// <summary>Demo traffic (section <c>O2O:Demo</c>): on in Development runs, off elsewhere.</summary>
public sealed class DemoOptions
{
    public const string Section = "O2O:Demo";

    public bool Enabled { get; set; }

    /// <summary>The tenant demo events belong to; the Development keys use it too.</summary>
    [Required] public string Tenant { get; set; } = "demo";

    /// <summary>New visitors per second.</summary>
    [Range(0.1, 1000)] public double VisitorsPerSecond { get; set; } = 2;
}

/// <summary>
/// Plays realistic O2O journeys into the event feed: Vietnamese shoppers who see a Facebook, YouTube,
/// Google or Zalo campaign (or none), browse, leave a phone number, walk into a store and buy.
/// Goes through the same feed as real traffic, so everything downstream is exercised.
/// </summary>
public sealed partial class DemoDataGenerator(
    IEventFeed feed,
    IOptions<DemoOptions> options,
    TimeProvider clock,
    ILogger<DemoDataGenerator> logger) : BackgroundService
{
    private static readonly string[] Stores = ["HCM01", "HCM02", "HN01", "DN01"];

    private static readonly (string Source, string Medium, string Campaign, string[] Contents, string[] Audiences, string? ClickId)[] Campaigns =
    [
        ("facebook", "paid_social", "fb_tet_sale", ["video_15s", "carousel_combo"], ["lookalike_1pct", "retarget_30d"], "fbclid"),
        ("youtube", "video", "yt_new_arrivals", ["bumper_6s", "instream_30s"], ["in_market_fashion"], "gclid"),
        ("google", "cpc", "gg_search_brand", ["brand_exact", "brand_broad"], ["search"], "gclid"),
        ("zalo", "oa", "zalo_oa_member", ["zns_voucher", "oa_article"], ["oa_followers"], null),
        ("tiktok", "paid_social", "tt_livestream", ["live_clip"], ["gen_z_hcm"], "ttclid"),
    ];

    private static readonly string[] Products = ["ao-dai-lua", "giay-sneaker-trang", "tui-xach-da", "dong-ho-nam", "son-moi-do"];

    private readonly PriorityQueue<CustomerEvent, DateTimeOffset> _due = new();
    private readonly Faker _faker = new("vi");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        LogStarted(o.VisitorsPerSecond, o.Tenant);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), clock);
        var owed = 0.0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                owed += o.VisitorsPerSecond / 4;
                for (; owed >= 1; owed--)
                {
                    PlanJourney(o.Tenant, clock.GetUtcNow());
                }
                var now = clock.GetUtcNow();
                var ready = new List<CustomerEvent>();
                while (_due.TryPeek(out _, out var at) && at <= now)
                {
                    ready.Add(_due.Dequeue() with { Timestamp = now });
                }
                if (ready.Count > 0)
                {
                    await feed.PublishAsync(ready, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void PlanJourney(string tenant, DateTimeOffset start)
    {
        var at = start;
        void Add(CustomerEvent e, double afterSeconds)
        {
            at = at.AddSeconds(afterSeconds);
            _due.Enqueue(e, at);
        }
        CustomerEvent New(EventType type) => new()
        {
            MessageId = "demo-" + Guid.NewGuid().ToString("N"),
            Tenant = tenant,
            Type = type,
            Timestamp = start,
        };

        var store = _faker.PickRandom(Stores);
        var phone = "+849" + _faker.Random.ReplaceNumbers("########");
        var name = $"{_faker.Name.LastName()} {_faker.Name.FirstName()}";

        // One in five walks in without any online touch.
        if (_faker.Random.Double() < 0.2)
        {
            Add(New(EventType.CheckIn) with { StoreId = store, CheckInMethod = CheckInMethod.Pos, Phone = phone, Traits = Name(name) }, 1);
            if (_faker.Random.Double() < 0.5)
            {
                Add(Order(New(EventType.Order), store, phone, name), 60);
            }
            else
            {
                // Some buyers never give a number: an anonymous POS sale.
                Add(Order(New(EventType.Order), store, null, null), 30);
            }
            return;
        }

        var c = _faker.PickRandom(Campaigns);
        var touch = new AdTouch
        {
            Source = c.Source,
            Medium = c.Medium,
            Campaign = c.Campaign,
            Content = _faker.PickRandom(c.Contents),
            Audience = _faker.PickRandom(c.Audiences),
            ClickIdType = c.ClickId,
        };
        var anonymousId = "demo-" + Guid.NewGuid().ToString("N")[..12];
        var visit = New(EventType.Page) with { AnonymousId = anonymousId, Path = "/", Touch = touch, DurationSeconds = _faker.Random.Int(5, 40) };
        Add(visit, 0);
        if (_faker.Random.Double() < 0.3)
        {
            return; // bounced
        }
        foreach (var product in _faker.PickRandom(Products, _faker.Random.Int(1, 3)))
        {
            Add(New(EventType.Page) with { AnonymousId = anonymousId, Path = "/san-pham/" + product, Category = "product", DurationSeconds = _faker.Random.Int(20, 150) }, _faker.Random.Int(3, 15));
        }
        if (_faker.Random.Double() < 0.5)
        {
            Add(New(EventType.Page) with { AnonymousId = anonymousId, Path = "/bang-gia", Category = "pricing", DurationSeconds = _faker.Random.Int(30, 120) }, 5);
        }
        if (_faker.Random.Double() < 0.45)
        {
            return; // dropped off before contact
        }
        var channel = _faker.PickRandom("chat", "call", "form");
        Add(New(EventType.Track) with { AnonymousId = anonymousId, Name = channel == "chat" ? SegmentEvents.ChatStarted : channel == "call" ? SegmentEvents.CallStarted : SegmentEvents.FormSubmitted, ContactChannel = channel }, 5);
        Add(New(EventType.Identify) with { AnonymousId = anonymousId, Phone = phone, Traits = Name(name) }, 2);
        if (_faker.Random.Double() < 0.5)
        {
            return; // never came in
        }
        var method = _faker.PickRandom(CheckInMethod.Qr, CheckInMethod.Wifi, CheckInMethod.Consultation);
        Add(New(EventType.CheckIn) with { StoreId = store, CheckInMethod = method, Phone = phone }, _faker.Random.Int(10, 40));
        if (_faker.Random.Double() < 0.6)
        {
            Add(Order(New(EventType.Order), store, phone, name), _faker.Random.Int(20, 60));
        }
    }

    private CustomerEvent Order(CustomerEvent e, string store, string? phone, string? name)
    {
        var items = _faker.PickRandom(Products, _faker.Random.Int(1, 2))
            .Select(sku => new OrderItem(sku, null, _faker.Random.Int(1, 2), _faker.Random.Int(2, 40) * 50_000L))
            .ToList();
        var orderId = $"{store}-{_faker.Random.Int(100000, 999999)}";
        return e with
        {
            MessageId = "order:1:" + orderId,
            Name = SegmentEvents.OrderCompleted,
            StoreId = store,
            Phone = phone,
            Order = new OrderInfo { OrderId = orderId, Source = OrderSource.Pos, Total = items.Sum(i => i.Price * i.Quantity), Items = items, CustomerName = name },
        };
    }

    private static Dictionary<string, string> Name(string name) => new() { ["name"] = name };

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo traffic on: {VisitorsPerSecond} visitors/s into tenant {Tenant}")]
    private partial void LogStarted(double visitorsPerSecond, string tenant);
}

public static class DemoExtensions
{
    /// <summary>
    /// Demo traffic when enabled (Development, or the AppHost's local run), into whichever feed this
    /// process writes to: the in-process one, or the event hub the silos drain.
    /// </summary>
    public static TBuilder AddDemoData<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled"))
        {
            builder.Services.AddHostedService<DemoDataGenerator>();
            builder.Services.AddHostedService<DemoMarketingHistory>();
        }
        return builder;
    }
}
