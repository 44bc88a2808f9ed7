using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Profiles;
using O2O.Grains.Spend;

namespace O2O.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- attribution [--conversions 1000000] [--campaigns 50] [--stores 20] [--days 30] [--requests 200]</c>
/// <para>
/// 1. Attributes N conversions (one per profile, 1–6 touches each, every model) with the pure code, timed.
/// 2. Loads those credits and each profile's funnel moves into the per-day read-model grains of the
///    embedded silo (what the event applier forwards), plus daily spend, then times every report over
///    HTTP: p50/p95/max per report. Reports never read profiles, so profiles need not be activated.
/// </para>
/// </summary>
internal static class AttributionBenchmark
{
    private static readonly string[] Channels = ["facebook", "google", "youtube", "tiktok", "zalo"];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var n = args.Int("conversions", 1_000_000);
        var campaigns = args.Int("campaigns", 50);
        var stores = args.Int("stores", 20);
        var days = args.Int("days", 30);
        var requests = args.Int("requests", 200);
        var settings = AttributionSettings.Default;
        var random = new Random(8);
        var today = new DateOnly(2026, 11, 22);
        var firstDay = today.AddDays(-days + 1);

        Console.WriteLine($"Generating {n:N0} conversions with touch histories...");
        var inputs = new (TouchRecord[] Touches, ConversionKind Kind, DateTimeOffset At, string Store, long Revenue, int Campaign)[n];
        for (var i = 0; i < n; i++)
        {
            var day = firstDay.AddDays(random.Next(days));
            var at = new DateTimeOffset(day.Year, day.Month, day.Day, 10 + random.Next(10), random.Next(60), 0, ReportCalendar.Offset);
            var touches = new TouchRecord[random.Next(0, 7)];
            var campaign = random.Next(campaigns);
            for (var t = 0; t < touches.Length; t++)
            {
                var c = t == 0 ? campaign : random.Next(campaigns);
                touches[t] = new TouchRecord(at.AddMinutes(-random.Next(1, 40 * 24 * 60)), new AdTouch
                {
                    Source = Channels[c % Channels.Length],
                    Campaign = "c" + c.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
                    Content = "content" + random.Next(4),
                    Audience = "aud" + random.Next(3),
                    IsView = random.Next(5) == 0,
                });
            }
            var purchase = random.Next(2) == 0;
            inputs[i] = (touches, purchase ? ConversionKind.Purchase : ConversionKind.StoreVisit, at, "S" + random.Next(stores).ToString("00", System.Globalization.CultureInfo.InvariantCulture), purchase ? random.Next(1, 80) * 50_000L : 0, campaign);
        }

        var credits = new ConversionCredits[n];
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var x = inputs[i];
            credits[i] = ConversionAttribution.Attribute(x.Touches, x.Kind, x.At, x.Store, x.Revenue, settings);
        }
        var single = watch.Elapsed;
        watch.Restart();
        Parallel.For(0, n, i =>
        {
            var x = inputs[i];
            credits[i] = ConversionAttribution.Attribute(x.Touches, x.Kind, x.At, x.Store, x.Revenue, settings);
        });
        var parallel = watch.Elapsed;
        Console.WriteLine($"Attribution of {n:N0} conversions x 5 models: {single.TotalSeconds:F2} s on one thread, {parallel.TotalSeconds:F2} s on {Environment.ProcessorCount} cores; organic {credits.Count(c => c.IsOrganic):N0}");

        await using var api = new EmbeddedApi(new() { ["Logging:LogLevel:Default"] = "Warning" });
        using var reader = api.Reader();
        (await reader.GetAsync("/v1/reports/overview")).EnsureSuccessStatusCode();
        var grains = api.Services.GetRequiredService<IGrainFactory>();
        const string tenant = "bench";

        Console.WriteLine("Loading the read models...");
        watch.Restart();
        var byDay = Enumerable.Range(0, n).GroupBy(i => ReportCalendar.DayOf(credits[i].At));
        await Parallel.ForEachAsync(byDay, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (group, _) =>
        {
            var grain = grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(tenant, group.Key));
            foreach (var chunk in group.Chunk(5_000))
            {
                var funnel = new List<FunnelDelta>(chunk.Length * 2);
                foreach (var i in chunk)
                {
                    var x = inputs[i];
                    var reached = x.Kind == ConversionKind.Purchase ? FunnelStage.Purchased : FunnelStage.StoreVisited;
                    var touch = x.Touches.Length > 0 ? x.Touches[0].Touch : null;
                    if (touch is not null)
                    {
                        funnel.Add(new FunnelDelta("c:" + touch.Campaign, FunnelStage.None, reached, touch, FunnelStage.Contacted));
                    }
                    funnel.Add(new FunnelDelta("s:" + x.Store, FunnelStage.None, reached, null, FunnelStage.Contacted));
                }
                await grain.RecordAsync([new AttributionDayUpdate(Guid.NewGuid().ToString("N"), [.. chunk.Select(i => credits[i])], funnel)]);
            }
        });
        var spend = new List<SpendRow>();
        for (var d = 0; d < days; d++)
        {
            for (var c = 0; c < campaigns; c++)
            {
                spend.Add(new SpendRow(firstDay.AddDays(d), Channels[c % Channels.Length], "c" + c.ToString("00", System.Globalization.CultureInfo.InvariantCulture), null, null, random.Next(1, 20) * 1_000_000L));
            }
        }
        await grains.GetGrain<ISpendGrain>(tenant).RecordAsync(spend);
        Console.WriteLine($"Loaded {n:N0} conversions into {days} day grains in {watch.Elapsed.TotalSeconds:F1} s");

        var period = $"from={firstDay:yyyy-MM-dd}&to={today:yyyy-MM-dd}";
        var reports = new (string Name, string Url)[]
        {
            ("overview", $"/v1/reports/overview?{period}"),
            ("funnel by campaign", $"/v1/reports/funnel?by=campaign&{period}"),
            ("funnel by store", $"/v1/reports/funnel?by=store&{period}"),
            ("attribution last touch by campaign", $"/v1/reports/attribution?model=LastTouch&by=campaign&{period}"),
            ("attribution time decay by content", $"/v1/reports/attribution?model=TimeDecay&by=content&{period}"),
            ("attribution position-based by channel", $"/v1/reports/attribution?model=PositionBased&by=channel&{period}"),
            ("spend vs results", $"/v1/reports/spend?model=Linear&{period}"),
            ("store leaderboard", $"/v1/reports/stores?{period}"),
            ("what-if facebook 500M", $"/v1/reports/what-if?channel=facebook&monthlySpend=500000000&historyDays={days}"),
        };
        Console.WriteLine($"| report ({days} days, {n:N0} conversions, {campaigns} campaigns, {stores} stores) | p50 | p95 | max |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, url) in reports)
        {
            for (var w = 0; w < 5; w++)
            {
                (await reader.GetAsync(url)).EnsureSuccessStatusCode();
            }
            var times = new List<double>(requests);
            for (var r = 0; r < requests; r++)
            {
                var t = Stopwatch.StartNew();
                using var response = await reader.GetAsync(url);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                times.Add(t.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"| {name} | {times[times.Count / 2]:F1} ms | {times[(int)(times.Count * 0.95)]:F1} ms | {times[^1]:F1} ms |");
        }
        return 0;
    }
}
