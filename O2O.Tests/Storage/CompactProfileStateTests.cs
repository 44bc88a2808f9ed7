using Microsoft.Extensions.DependencyInjection;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace O2O.Tests.Storage;

/// <summary>
/// Profile state version 2 keeps its timeline as values (<see cref="Touchpoint"/>), where version 1
/// kept an object per entry. A state stored by version 1 must still read: <c>Fixtures/profile-state-v1.bin</c>
/// is such a state, written by main at 65d60f8 with the storage serializer the silo configures (Orleans'
/// binary format), before the timeline changed. <see cref="EmbeddedSiloTests"/> activates a grain on what it reads.
/// </summary>
public sealed class CompactProfileStateTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 8, 0, 0, TimeSpan.Zero);

    public static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "profile-state-v1.bin");

    /// <summary>The timeline the fixture was written with (20 entries, 7 minutes apart).</summary>
    public static List<Touchpoint> FixtureTimeline() =>
    [
        .. Enumerable.Range(0, 20).Select(i =>
        {
            var (type, name, detail, campaign, store) = (i % 5) switch
            {
                0 => (EventType.Page, (string?)null, (string?)$"/san-pham/ao-dai-{i % 3}", (string?)"tet-2026", (string?)null),
                1 => (EventType.Track, "Product Viewed", "sku-" + (i % 4), null, null),
                2 => (EventType.CheckIn, null, "Qr", null, "HCM0" + (i % 3)),
                3 => (EventType.Track, "Lead Outcome", "Contacted", null, "HCM01"),
                _ => (EventType.Screen, "Home", "Home", "tet-2026", null),
            };
            return new Touchpoint(Start.AddMinutes(7 * i), type, name, detail, campaign, store);
        }),
    ];

    [Fact]
    public void AStateStoredByVersion1ReadsWithTheSameTimeline()
    {
        // What a grain's storage does as the grain activates.
        var state = Storage.Deserialize<ProfileState>(File.ReadAllBytes(FixturePath))!;

        state.Timeline.ShouldBe(FixtureTimeline());
        state.LegacyTimeline.ShouldBeNull();
        state.Version.ShouldBe(ProfileState.CurrentVersion);
        state.Identifiers.ShouldBe([new Identifier(IdentifierKind.Anonymous, "anon-legacy-1"), new Identifier(IdentifierKind.Phone, "+84901234567")]);
        state.Traits["name"].ShouldBe("Nguyễn Thị Lan");
        state.Touches.Single().Touch.ShouldBe(new AdTouch { Source = "facebook", Medium = "cpc", Campaign = "tet-2026", Content = "video-a" });
        state.Totals.Events.ShouldBe(20);
        // The entries moved from version 1 hold the process's shared copies of their strings.
        state.Timeline[1].Name.ShouldBeSameAs(SharedStrings.Intern(new string("Product Viewed".AsSpan())));
    }

    [Fact]
    public void CollectionsMostPeopleNeverFillAreWrittenEmptyAndReadBackAsNothing()
    {
        // Groups, merged-from and conversions are null in memory until the first one, and stored as empty
        // collections (as earlier releases stored them, so their silos can still read the row).
        var state = new ProfileState();
        state.Groups.ShouldBeNull();

        var again = Storage.Deserialize<ProfileState>(Storage.Serialize(state).ToArray())!;
        again.Groups.ShouldBeNull();
        again.MergedFrom.ShouldBeNull();
        again.Conversions.ShouldBeNull();
        again.StoredGroups.ShouldBeEmpty();

        state.Groups = new() { ["company-1"] = new() { ["name"] = "Công ty An Phát" } };
        state.MergedFrom = ["anon:old-device"];
        var filled = Storage.Deserialize<ProfileState>(Storage.Serialize(state).ToArray())!;
        filled.Groups!["company-1"]["name"].ShouldBe("Công ty An Phát");
        filled.MergedFrom.ShouldBe(["anon:old-device"]);

        // A row written by version 1, with those collections empty, reads as nothing too.
        var legacy = Storage.Deserialize<ProfileState>(File.ReadAllBytes(FixturePath))!;
        legacy.Groups.ShouldBeNull();
        legacy.Conversions.ShouldBeNull();
    }

    [Fact]
    public void AnUpgradedStateIsWrittenInTheNewFormatSmallerAndReadsBackTheSame()
    {
        var legacyBytes = File.ReadAllBytes(FixturePath);
        var state = Storage.Deserialize<ProfileState>(legacyBytes)!;

        var written = Storage.Serialize(state).ToArray();
        var again = Storage.Deserialize<ProfileState>(written)!;

        again.Timeline.ShouldBe(FixtureTimeline());
        again.LegacyTimeline.ShouldBeNull();
        output.WriteLine($"the fixture's state: version 1 {legacyBytes.Length:N0} B, version 2 {written.Length:N0} B");
        written.Length.ShouldBeLessThan(legacyBytes.Length);
    }

    [Fact]
    public void AProfileOfTwentyEventsAsTheIngestBenchMakesItStoresSmallerThanVersion1()
    {
        // The ingest benchmark's journey (bench/O2O.Bench IngestBenchmark), applied as the grain applies it.
        var state = new ProfileState();
        var profile = new ProfileOptions();
        var scoring = new ScoringOptions();
        var touch = new AdTouch { Source = "facebook", Medium = "paid_social", Campaign = "bench_c7", Content = "v1", ClickIdType = "fbclid", ClickId = "f12345" };
        for (var k = 0; k < 20; k++)
        {
            var e = new CustomerEvent
            {
                MessageId = $"bench-12345-{k}",
                Tenant = "t",
                Type = k is 0 or 11 || (k % 3 != 0 && k is not 5 and not 7) ? EventType.Page : k == 5 ? EventType.Identify : EventType.Track,
                Timestamp = Start.AddSeconds(k),
                AnonymousId = "bench-12345",
                Name = k switch { 0 => "Home", 11 => "Pricing", 7 => "Product Added", 5 => null, _ when k % 3 == 0 => "Product Viewed", _ => null },
                Path = k switch { 0 => "/", 11 => "/bang-gia", _ when k % 3 != 0 && k is not 5 and not 7 => $"/san-pham/sku-{k}", _ => null },
                ProductId = k == 7 || (k % 3 == 0 && k is not 0) ? $"sku-{k}" : null,
                Phone = k == 5 ? "+8409012345" : null,
                Traits = k == 5 ? new Dictionary<string, string> { ["name"] = "Nguyễn Văn 12345" } : null,
                Touch = k == 0 ? touch : null,
            };
            state.Seen.TryAdd(e.MessageId, e.Timestamp);
            ProfileProjection.Apply(state, e, profile, scoring);
        }
        state.Timeline.Count.ShouldBe(20);
        var stored = Storage.Serialize(state).ToArray();

        // Version 1 stored this profile in 1,781 bytes (measured with main at 65d60f8); version 2 in 1,586.
        output.WriteLine($"a profile of 20 events: {stored.Length:N0} B");
        stored.Length.ShouldBeLessThan(1_700);
        Storage.Deserialize<ProfileState>(stored)!.Timeline.ShouldBe(state.Timeline);
    }

    [Fact]
    public void ATimelineGrowsByTwoAndAHalfTimesAndAFullOneNeverGrowsPastItsSize()
    {
        var profile = new ProfileOptions { TimelineSize = 50 };
        var timeline = new List<Touchpoint>();
        var capacities = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            ProfileProjection.AddToTimeline(timeline, new Touchpoint(Start.AddMinutes(i), EventType.Page, null, "/" + i, null, null), profile.TimelineSize);
            capacities.Add(timeline.Capacity);
        }
        capacities.Distinct().ShouldBe([4, 10, 25]);

        for (var i = 20; i < 120; i++)
        {
            ProfileProjection.AddToTimeline(timeline, new Touchpoint(Start.AddMinutes(i), EventType.Page, null, "/" + i, null, null), profile.TimelineSize);
        }
        // One late event lands in order; one older than everything kept is not kept.
        ProfileProjection.AddToTimeline(timeline, new Touchpoint(Start.AddMinutes(100.5), EventType.Page, null, "/late", null, null), profile.TimelineSize);
        ProfileProjection.AddToTimeline(timeline, new Touchpoint(Start, EventType.Page, null, "/ancient", null, null), profile.TimelineSize);

        timeline.Count.ShouldBe(50);
        timeline.Capacity.ShouldBe(50);
        timeline.ShouldBeInOrder(SortDirection.Ascending, Comparer<Touchpoint>.Create((a, b) => a.Timestamp.CompareTo(b.Timestamp)));
        timeline.Select(t => t.Detail).ShouldContain("/late");
        timeline.Select(t => t.Detail).ShouldNotContain("/ancient");
        timeline[^1].Detail.ShouldBe("/119");
    }

    [Fact]
    public void ATimelineEntryReadsAsItDidInJson()
    {
        // What the profile API and the privacy export show of an entry: the same members as version 1's record.
        var at = new DateTimeOffset(2026, 10, 1, 15, 0, 0, TimeSpan.FromHours(7));
        var json = System.Text.Json.JsonSerializer.SerializeToElement(
            new Touchpoint(at, EventType.CheckIn, null, "Qr", "tet-2026", "HCM01"), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

        json.EnumerateObject().Select(p => p.Name).ShouldBe(["timestamp", "type", "name", "detail", "campaign", "storeId"], ignoreOrder: true);
        json.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(at);
        json.GetProperty("timestamp").GetString().ShouldBe("2026-10-01T15:00:00+07:00");
    }

    [Fact]
    public void ATimelineEntryTakesFortyEightBytesInItsArray() =>
        // Version 1 took 80: an 8-byte reference in the array and a 72-byte object.
        System.Runtime.CompilerServices.Unsafe.SizeOf<Touchpoint>().ShouldBe(48);

    [Fact]
    public void TwoPeopleWhoseEventsCarryTheirOwnCopiesOfAStringKeepOneSharedCopy()
    {
        // Events read from the wire (another silo, the Event Hubs consumer) carry fresh strings.
        var (a, b) = (new ProfileState(), new ProfileState());
        foreach (var (state, n) in new[] { (a, 1), (b, 2) })
        {
            var e = new CustomerEvent
            {
                MessageId = "m" + n,
                Tenant = "t",
                Type = EventType.CheckIn,
                Timestamp = Start,
                AnonymousId = "a" + n,
                StoreId = new string("HCM-compact-test".AsSpan()),
                CheckInMethod = CheckInMethod.Qr,
                Touch = new AdTouch { Source = new string("zalo-compact-test".AsSpan()), Campaign = new string("tet-compact-test".AsSpan()), ClickIdType = "gclid", ClickId = "g" + n },
            };
            ProfileProjection.Apply(state, e, new ProfileOptions(), new ScoringOptions());
        }

        a.Timeline[0].StoreId.ShouldBeSameAs(b.Timeline[0].StoreId);
        a.Timeline[0].Campaign.ShouldBeSameAs(b.Timeline[0].Campaign);
        a.Touches[0].Touch.Source.ShouldBeSameAs(b.Touches[0].Touch.Source);
        a.Touches[0].Touch.ClickId.ShouldBe("g1");
    }

    /// <summary>The storage serializer the silo configures (Orleans' binary format), over the test silo's serializer.</summary>
    private IGrainStorageSerializer Storage => new OrleansGrainStorageSerializer(
        ((InProcessSiloHandle)cluster.Cluster.Primary!).SiloHost.Services.GetRequiredService<Serializer>());
}
