using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Journeys;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;

namespace O2O.Bench;

/// <summary>
/// Time-based segment re-evaluation: N profiles of repeat buyers in an embedded silo (in-memory
/// storage, a fake clock), 1% of them due on each of three consecutive days. Measures each day's
/// tick (wall and CPU per due profile) and the memory segments and journey state add per profile.
/// </summary>
internal static class SegmentTickBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var profiles = args.Int("profiles", 1_000_000);
        var duePercent = args.Int("due-percent", 1);
        var start = new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(7));
        var clock = new FakeTimeProvider(start);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddO2OGrainOptions();
        builder.Services.Configure<O2O.Grains.Privacy.PrivacyOptions>(o => o.PseudonymSecret = "bench-only-pseudonym-secret-0123456789");
        builder.Services.PostConfigure<StateWriteOptions>(o => o.WriteOnDeactivation.UnionWith(StorageNames.All));
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            foreach (var name in StorageNames.All)
            {
                silo.AddMemoryGrainStorage(name);
            }
            silo.UseInMemoryReminderService();
            silo.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromDays(3650));
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        const string tenant = "bench";

        // Every profile: two orders 30 days apart, so churn risk is due 45 days after the last one.
        // Three ticks, on three consecutive days, each with its own due profiles (their last order 45
        // days before that day); the others' last order is recent enough to be due after the third.
        const int ticks = 3;
        var tickAt = start.AddDays(60);
        var due = profiles * duePercent / 100;
        Console.WriteLine($"seeding   {profiles:N0} profiles, {due:N0} due on each of {tickAt:yyyy-MM-dd} and the {ticks - 1} days after");
        var seed = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, profiles), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var last = i < due * ticks ? tickAt.AddDays(i / due - 45.5) : tickAt.AddDays(-45 + ticks + i % 40);
            var e1 = Order(tenant, i, 1, last.AddDays(-30));
            var e2 = Order(tenant, i, 2, last);
            var profile = grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, "p" + i));
            var result = await profile.ApplyAsync(new EventBatch([e1, e2]));
            // Straight to the grains, not through the applier: the aggregates' share is acknowledged
            // unsent, so the profiles hold what they would after a delivered batch. Only the due-wheel
            // entry (which the applier would deliver) is delivered, so that the tick finds the profile.
            foreach (var bucket in result.Owed.Select(o => o.DueBucket).OfType<long>())
            {
                await grains.GetGrain<IDueWheelGrain>(DueWheel.Key(tenant, WheelKind.Segments, bucket)).AddAsync("p" + i);
            }
            await profile.AcknowledgeAsync([.. result.Owed.Select(o => o.Id)]);
            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"          {i + 1:N0} at {seed.Elapsed.TotalSeconds:F0} s");
            }
        });
        Console.WriteLine($"seeded    in {seed.Elapsed.TotalSeconds:F1} s");

        var failed = false;
        for (var day = 0; day < ticks; day++)
        {
            // The fake clock replays every periodic timer the silo has over a jump, so the jump happens
            // before measuring, to a minute before the due day starts (nothing new is due yet).
            var dayStart = DueWheel.StartOf(WheelKind.Segments, DueWheel.CurrentBucket(WheelKind.Segments, tickAt.AddDays(day), TimeSpan.FromHours(7)), TimeSpan.FromHours(7));
            clock.SetUtcNow(dayStart.AddMinutes(-1));
            await grains.GetGrain<ITenantClockGrain>(tenant).TickAsync();
            await Task.Delay(TimeSpan.FromSeconds(5));
            // Moving the clock may fire the tenant's reminder, which then starts the tick before we ask for it;
            // the stopwatch starts first and our call joins a running tick, so the whole tick is measured.
            using var cost = new ProcessCost();
            var wall = Stopwatch.StartNew();
            clock.SetUtcNow(dayStart.AddMinutes(1));
            var woken = await grains.GetGrain<ITenantClockGrain>(tenant).TickAsync();
            var elapsed = wall.Elapsed;
            var churn = await grains.GetGrain<ISegmentGrain>(SegmentKey.For(tenant, Segment.ChurnRisk)).GetStatsAsync(1);
            Console.WriteLine($"tick {day + 1}    {elapsed.TotalSeconds:F2} s for {due:N0} due profiles ({elapsed.TotalMicroseconds / Math.Max(1, due):F0} µs wall per due profile); churn-risk segment now {churn.Size:N0} (expected {due * (day + 1):N0}); woken by this call {woken:N0}");
            Console.WriteLine(cost.Summary(Math.Max(1, due), "due profile"));
            failed |= churn.Size != due * (day + 1);
        }

        MeasureMemory();
        await host.StopAsync();
        return failed ? 1 : 0;
    }

    /// <summary>Heap bytes per profile of what this feature adds: segment facts, segment and wheel membership, and one person's journey state.</summary>
    private static void MeasureMemory()
    {
        const int n = 100_000;
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var before = GC.GetTotalMemory(true);
        var facts = new ProfileNurture[n];
        for (var i = 0; i < n; i++)
        {
            facts[i] = new ProfileNurture
            {
                Segments = new SegmentFacts { OrderTimes = [t0.AddDays(i % 300), t0.AddDays(i % 300 + 30)], Current = Segment.ValueMid | Segment.FrequencyMid, DueBucket = i },
            };
        }
        var factsBytes = (GC.GetTotalMemory(true) - before) / (double)n;

        // A buyer sits in about three segments and one wheel bucket: four set entries with the profile id shared.
        var ids = Enumerable.Range(0, n).Select(i => "p_" + Guid.NewGuid().ToString("N")[..20]).ToArray();
        before = GC.GetTotalMemory(true);
        var sets = Enumerable.Range(0, 4).Select(_ => new HashSet<string>(ids, StringComparer.Ordinal)).ToArray();
        var membershipBytes = (GC.GetTotalMemory(true) - before) / (double)n;

        before = GC.GetTotalMemory(true);
        var people = new PersonJourneysState[n / 10];
        for (var i = 0; i < people.Length; i++)
        {
            people[i] = new PersonJourneysState
            {
                Places = [new JourneyPlace { JourneyId = "winback", StepId = "wait-1", EnteredAt = t0, WakeAt = t0.AddDays(3), Waiting = true, Unanswered = 1 }],
                Messages = [new JourneyMessageRecord { Seq = 1, JourneyId = "winback", StepId = "hello", Channel = MessageChannel.Zalo, At = t0, Status = DeliveryStatus.Delivered, Cost = 300, Links = ["https://shop.vn/uu-dai"] }],
                Channels = new() { [MessageChannel.Zalo] = new ChannelTally(1, 0) },
                LastMessage = 1,
                DueBucket = i,
            };
        }
        var journeyBytes = (GC.GetTotalMemory(true) - before) / (double)people.Length;
        Console.WriteLine($"memory    segment facts (ProfileNurture) {factsBytes:F0} B + segment/wheel membership {membershipBytes:F0} B per profile; "
            + $"journey state {journeyBytes:F0} B per person in a journey (one place, one message)");
        GC.KeepAlive(facts);
        GC.KeepAlive(sets);
        GC.KeepAlive(people);
    }

    private static CustomerEvent Order(string tenant, int profile, int n, DateTimeOffset at) => new()
    {
        MessageId = $"o{profile}-{n}",
        Tenant = tenant,
        Type = EventType.Order,
        Name = SegmentEvents.OrderCompleted,
        Timestamp = at,
        // Buyers are known by phone (an anonymous profile would also sit in the retention sweep's day index).
        Phone = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"+8490{profile:D7}"),
        StoreId = "HCM01",
        Order = new OrderInfo { OrderId = $"HCM01-{profile}-{n}", Source = OrderSource.Pos, Total = 650_000 },
    };
}
