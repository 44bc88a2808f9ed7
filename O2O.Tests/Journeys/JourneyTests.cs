using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using O2O.Api.Journeys;
using OneClickUnsubscribe = O2O.Silo.Messaging.OneClickUnsubscribe;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Consent;
using O2O.Grains.Events;
using O2O.Grains.Journeys;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Journeys;

/// <summary>Journeys end to end on a real test cluster, emailing through a real SMTP server.</summary>
[Collection(NurtureCollection.Name)]
[Trait("Category", "Slow")]
public sealed partial class JourneyTests(NurtureCluster fixture) : IAsyncLifetime
{
    private static readonly JourneyOptions Options = new() { PublicBaseUrl = "https://o2o.test" };

    /// <summary>The collection's tests share one clock: each starts in the daytime, whatever the previous one left.</summary>
    public ValueTask InitializeAsync()
    {
        NurtureCluster.LeaveQuietHours();
        fixture.Ticking = null;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AClickerIsBranchedToAVoucherAndReachesTheGoalWhileAnIgnorerIsGivenUpAfterThreeMessages()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var journey = await SaveAsync(events.Tenant, Winback("winback", "potential"));
        var an = await ContactFromAdAsync(events, "an", "Nguyễn Văn An");
        var binh = await ContactFromAdAsync(events, "binh", "Trần Thị Bình");

        var first = await MailAsync(an.Email, 1);
        first[0].Subject.ShouldBe("An ơi, ưu đãi dành riêng cho bạn");
        first[0].TextBody!.ShouldContain("Chào An");
        first[0].TextBody!.ShouldNotContain("https://shop.vn/uu-dai");
        first[0].TextBody!.ShouldContain("Hủy đăng ký");
        await MailAsync(binh.Email, 1);

        // An opens the tracked link: the shop page, a click on the profile, the journey as its touch.
        var opened = await ClickAsync(first[0], 0);
        opened.Url.ShouldBe("https://shop.vn/uu-dai");
        var profile = (await fixture.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(events.Tenant, an.ProfileId)).GetAsync())!;
        profile.Timeline.ShouldContain(t => t.Name == NurtureSignals.MessageClicked);
        profile.OnlineTouches.ShouldContain(t => t.Touch.Source == JourneyLinks.Source && t.Touch.Campaign == "winback");

        var start = NurtureCluster.Clock.GetUtcNow();
        await fixture.TickAtAsync(events.Tenant, start.AddDays(4));
        var voucher = await MailAsync(an.Email, 2);
        voucher[1].TextBody!.ShouldContain("voucher");
        (await MailAsync(binh.Email, 2))[1].TextBody!.ShouldContain("nhắc lại");

        await fixture.ApplyAsync(events.CheckIn("HCM01", an.Phone));
        await UntilAsync(async () => (await PlaceAsync(events.Tenant, an.ProfileId, "winback")).Status == PlaceStatus.GoalReached, "An reached the goal");

        await fixture.TickAtAsync(events.Tenant, start.AddDays(8));
        await MailAsync(binh.Email, 3);
        await fixture.TickAtAsync(events.Tenant, start.AddDays(12));
        await UntilAsync(async () => (await PlaceAsync(events.Tenant, binh.ProfileId, "winback")).Status == PlaceStatus.GaveUp, "Bình was given up");
        await fixture.TickAtAsync(events.Tenant, start.AddDays(20));

        fixture.Smtp.To(binh.Email).Count.ShouldBe(3);
        fixture.Smtp.To(an.Email).Count.ShouldBe(2);
        await UntilAsync(async () => (await journey.GetReportAsync())!.GaveUp == 1, "the report counts the give-up");
        var report = (await journey.GetReportAsync())!;
        (report.Entered, report.Messaged, report.Clicked, report.Visited, report.GoalReached, report.GaveUp, report.Messages)
            .ShouldBe((2, 2, 1, 1, 1, 1, 5));
        report.Cost.ShouldBe(5 * NurtureCluster.EmailCost);
    }

    [Fact]
    public async Task AMessageDueInQuietHoursGoesAtEightInTheMorning()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        await SaveAsync(events.Tenant, Winback("night", "potential"));
        var now = NurtureCluster.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(7));
        var tenPm = new DateTimeOffset(now.Date.AddDays(1).AddHours(22), now.Offset);
        NurtureCluster.Clock.SetUtcNow(tenPm);

        var chi = await ContactFromAdAsync(events, "chi", "Lê Minh Chi");
        // Reading the person interleaves with their entry: the place can be seen before its first step decided to wait.
        var place = await PlaceAsync(events.Tenant, chi.ProfileId, "night", p => p.WakeAt is not null);
        fixture.Smtp.To(chi.Email).ShouldBeEmpty();
        var eight = new DateTimeOffset(tenPm.Date.AddDays(1).AddHours(8), tenPm.Offset);
        place.WakeAt.ShouldBe(eight);

        await fixture.TickAtAsync(events.Tenant, eight);

        await MailAsync(chi.Email, 1);
        var sent = (await fixture.Grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(events.Tenant, chi.ProfileId)).GetAsync()).Messages.Single();
        sent.At.ShouldBe(eight);
        sent.Status.ShouldBe(DeliveryStatus.Delivered);
    }

    [Fact]
    public async Task TheWeeklyCapSuppressesASecondJourneysMessageAndSaysWhy()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        await SaveAsync(events.Tenant, Winback("first", "potential"));
        var second = await SaveAsync(events.Tenant, Winback("second", "browsed-not-bought"));
        var dung = await ContactFromAdAsync(events, "dung", "Phạm Văn Dũng");
        await MailAsync(dung.Email, 1);
        var start = NurtureCluster.Clock.GetUtcNow();
        await fixture.TickAtAsync(events.Tenant, start.AddDays(4));
        await MailAsync(dung.Email, 2);

        NurtureCluster.Clock.SetUtcNow(start.AddDays(5));
        await fixture.ApplyAsync(events.Track("anon-dung", SegmentEvents.ProductViewed));

        await UntilAsync(async () => (await second.GetReportAsync())!.Suppressed.GetValueOrDefault(SuppressReason.FrequencyCap) == 1, "the second journey's message is suppressed by the cap");
        fixture.Smtp.To(dung.Email).Count.ShouldBe(2);
        var messages = (await fixture.Grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(events.Tenant, dung.ProfileId)).GetAsync()).Messages;
        messages.ShouldContain(m => m.JourneyId == "second" && m.Status == DeliveryStatus.Suppressed && m.Reason == SuppressReason.FrequencyCap);
    }

    [Fact]
    public async Task UnsubscribingStopsTheNextMessageAtOnce()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var journey = await SaveAsync(events.Tenant, Winback("stop", "potential"));
        var em = await ContactFromAdAsync(events, "em", "Võ Thị Em");
        var mail = (await MailAsync(em.Email, 1))[0];

        var unsubscribe = UnsubscribeLink().Match(mail.TextBody!).Groups[1].Value;
        TrackedLinks.TryRead(unsubscribe, Options.LinkKey, out var target).ShouldBeTrue();
        (await JourneyLinks.UnsubscribeAsync(fixture.Grains, target)).ShouldBe(MessageChannel.Email);
        await fixture.TickAtAsync(events.Tenant, NurtureCluster.Clock.GetUtcNow().AddDays(4));

        await UntilAsync(async () => (await journey.GetReportAsync())!.Suppressed.GetValueOrDefault(SuppressReason.Unsubscribed) == 1, "the next message is suppressed as unsubscribed");
        fixture.Smtp.To(em.Email).Count.ShouldBe(1);
    }

    [Fact]
    public async Task EmailCarriesAOneClickUnsubscribeWhosePostStopsTheNextMessage()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var journey = await SaveAsync(events.Tenant, Winback("one-click", "potential"));
        var lan = await ContactFromAdAsync(events, "lan", "Phạm Thị Lan");
        var mail = (await MailAsync(lan.Email, 1))[0];

        mail.Headers[OneClickUnsubscribe.PostHeader].ShouldBe("List-Unsubscribe=One-Click");
        var header = string.Concat(mail.Headers[OneClickUnsubscribe.Header]!.Where(c => !char.IsWhiteSpace(c)));
        header.ShouldStartWith("<https://o2o.test/u/");
        header.ShouldEndWith(">");
        var address = new Uri(header[1..^1]);
        // The same signed address as the link in the text, so either way stops the same messages.
        mail.TextBody!.ShouldContain(address.ToString());

        // What Gmail or Yahoo do when the person presses "Unsubscribe": a form-encoded POST, no cookie.
        await using var web = await UnsubscribeEndpointAsync();
        using var post = await web.GetTestClient().PostAsync(address.PathAndQuery,
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), TestContext.Current.CancellationToken);
        post.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        await fixture.TickAtAsync(events.Tenant, NurtureCluster.Clock.GetUtcNow().AddDays(4));

        await UntilAsync(async () => (await journey.GetReportAsync())!.Suppressed.GetValueOrDefault(SuppressReason.Unsubscribed) == 1, "the next message is suppressed as unsubscribed");
        fixture.Smtp.To(lan.Email).Count.ShouldBe(1);
        // A token that was tampered with unsubscribes nobody.
        var path = address.PathAndQuery;
        using var forged = await web.GetTestClient().PostAsync(path[..^1] + (path[^1] == 'A' ? 'B' : 'A'), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), TestContext.Current.CancellationToken);
        forged.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    /// <summary>The product's unsubscribe endpoint on a test server, over the test cluster.</summary>
    private async Task<WebApplication> UnsubscribeEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(fixture.Grains);
        builder.Services.Configure<JourneyOptions>(o => o.PublicBaseUrl = Options.PublicBaseUrl);
        var app = builder.Build();
        app.MapUnsubscribeLinks();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    [Fact]
    public async Task ConsentIsCheckedAtSendTimeSoAWithdrawalOrNoConsentStopsMessages()
    {
        var events = new EventMaker(ClusterFixture.NewTenant(), NurtureCluster.Clock);
        var journey = await SaveAsync(events.Tenant, Winback("consent", "potential"));
        var giao = await ContactFromAdAsync(events, "giao", "Hồ Văn Giao", consent: false);
        var hoa = await ContactFromAdAsync(events, "hoa", "Đinh Thị Hoa");
        await MailAsync(hoa.Email, 1);
        await UntilAsync(async () => (await journey.GetReportAsync())!.Suppressed.GetValueOrDefault(SuppressReason.NoConsent) == 1, "Giao, who never agreed, is not messaged");

        // Hoa withdraws marketing by email: the next step, four days on, finds no consent.
        await fixture.ApplyAsync(events.Track("anon-hoa", "Consent Updated") with
        {
            Consents = [new ConsentChange(ConsentPurpose.Marketing, ConsentChannel.Email, false, ConsentSource.WebForm, "2026-11")],
        });
        await fixture.TickAtAsync(events.Tenant, NurtureCluster.Clock.GetUtcNow().AddDays(4));

        var hoaJourneys = fixture.Grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(events.Tenant, hoa.ProfileId));
        await UntilAsync(async () => (await hoaJourneys.GetAsync()).Messages.Count == 2, "Hoa's next step ran");
        fixture.Smtp.To(giao.Email).ShouldBeEmpty();
        fixture.Smtp.To(hoa.Email).Count.ShouldBe(1);
        (await hoaJourneys.GetAsync()).Messages.Select(m => (m.Status, m.Reason))
            .ShouldBe([(DeliveryStatus.Delivered, (SuppressReason?)null), (DeliveryStatus.Suppressed, SuppressReason.NoConsent)]);
        var giaoJourneys = fixture.Grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(events.Tenant, giao.ProfileId));
        (await giaoJourneys.GetAsync()).Messages.ShouldAllBe(m => m.Status == DeliveryStatus.Suppressed && m.Reason == SuppressReason.NoConsent);
    }

    [Fact]
    public async Task AForgedLinkOpensNothing()
    {
        var token = TrackedLinks.Token(new LinkTarget("t", "p_1", 1, 0), Options.LinkKey);
        var forged = token[..^2] + (token[^1] == 'A' ? "BB" : "AA");

        TrackedLinks.TryRead(forged, Options.LinkKey, out _).ShouldBeFalse();
        TrackedLinks.TryRead(token, "another-key-another-key-another-key", out _).ShouldBeFalse();
        TrackedLinks.TryRead(token, Options.LinkKey, out var target).ShouldBeTrue();
        target.ShouldBe(new LinkTarget("t", "p_1", 1, 0));
        (await JourneyLinks.OpenAsync(fixture.Grains, target with { Tenant = ClusterFixture.NewTenant() }, DateTimeOffset.UnixEpoch)).ShouldBeNull();
    }

    /// <summary>Send, wait four days, branch: clickers get a voucher, the others a reminder, then a last message; goal: a store visit.</summary>
    internal static JourneyDefinition Winback(string id, string segment) => new()
    {
        Id = id,
        Name = "Kéo khách quay lại",
        Active = true,
        Audience = new JourneyAudience { Segment = segment },
        Goal = JourneyGoal.StoreVisit,
        GiveUpAfter = 3,
        Steps =
        [
            new JourneyStep { Id = "hello", Type = StepType.Send, Channel = MessageChannel.Email, Subject = "{{ ten }} ơi, ưu đãi dành riêng cho bạn", Body = "Chào {{ ten }}, xem ưu đãi tại https://shop.vn/uu-dai" },
            new JourneyStep { Id = "wait-1", Type = StepType.Wait, Duration = TimeSpan.FromDays(4) },
            new JourneyStep { Id = "clicked?", Type = StepType.Branch, Branches = [new BranchRule { On = Response.Clicked, GoTo = "voucher" }] },
            new JourneyStep { Id = "reminder", Type = StepType.Send, Channel = MessageChannel.Master, Subject = "Nhắc nhẹ", Body = "{{ ten }} ơi, nhắc lại ưu đãi: https://shop.vn/uu-dai" },
            new JourneyStep { Id = "wait-2", Type = StepType.Wait, Duration = TimeSpan.FromDays(4) },
            new JourneyStep { Id = "last", Type = StepType.Send, Channel = MessageChannel.Email, Subject = "Lần cuối", Body = "Ưu đãi sắp hết: https://shop.vn/uu-dai" },
            new JourneyStep { Id = "wait-3", Type = StepType.Wait, Duration = TimeSpan.FromDays(4) },
            new JourneyStep { Id = "done", Type = StepType.End },
            new JourneyStep { Id = "voucher", Type = StepType.Send, Channel = MessageChannel.Email, Subject = "Quà cho {{ ten }}", Body = "Tặng {{ ten }} voucher 100.000đ tại cửa hàng: https://shop.vn/voucher" },
            new JourneyStep { Id = "wait-v", Type = StepType.Wait, Duration = TimeSpan.FromDays(7) },
        ],
    };

    private async Task<IJourneyGrain> SaveAsync(string tenant, JourneyDefinition definition)
    {
        JourneyValidation.Validate(definition).ShouldBeEmpty();
        var grain = fixture.Grains.GetGrain<IJourneyGrain>(TenantKey.Compose(tenant, definition.Id));
        await grain.SaveAsync(definition);
        return grain;
    }

    private async Task<(string ProfileId, string Email, string Phone)> ContactFromAdAsync(EventMaker events, string who, string name, bool consent = true)
    {
        var phone = "+8490" + Random.Shared.Next(1000000, 9999999);
        var email = $"{who}.{Guid.NewGuid():N}"[..(who.Length + 9)] + "@khach.vn";
        await fixture.ApplyAsync(
            events.Page("anon-" + who, "/uu-dai", new AdTouch { Source = "facebook", Campaign = "tet" }),
            events.Identify("anon-" + who, phone, name) with { Email = email, Consents = consent ? NurtureCluster.MarketingConsent : null });
        var profileId = (await fixture.Grains.Identity(IdentityKey.Of(events.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetProfileAsync())!;
        return (profileId, email, phone);
    }

    private async Task<IReadOnlyList<MimeMessage>> MailAsync(string email, int count)
    {
        await UntilAsync(() => fixture.Smtp.To(email).Count >= count, $"{count} message(s) reached the SMTP server");
        return fixture.Smtp.To(email);
    }

    /// <summary>Waits for what a tick set going, ticking again meanwhile (<see cref="NurtureCluster.TickAgainAsync"/>).</summary>
    private Task UntilAsync(Func<Task<bool>> condition, string what) =>
        Waits.UntilAsync(async () => { await fixture.TickAgainAsync(); return await condition(); }, what);

    private Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    private async Task<(string Url, CustomerEvent? Event)> ClickAsync(MimeMessage mail, int link)
    {
        var token = ClickLink().Matches(mail.TextBody!)[link].Groups[1].Value;
        TrackedLinks.TryRead(token, Options.LinkKey, out var target).ShouldBeTrue();
        var opened = (await JourneyLinks.OpenAsync(fixture.Grains, target, NurtureCluster.Clock.GetUtcNow()))!.Value;
        opened.Event.ShouldNotBeNull();
        await fixture.ApplyAsync(opened.Event);
        return opened;
    }

    private async Task<JourneyPlaceView> PlaceAsync(string tenant, string profileId, string journeyId, Func<JourneyPlaceView, bool>? settled = null)
    {
        var person = fixture.Grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(tenant, profileId));
        JourneyPlaceView? place = null;
        await UntilAsync(async () =>
        {
            place = (await person.GetAsync()).Places.SingleOrDefault(p => p.JourneyId == journeyId);
            return place is not null && (settled?.Invoke(place) ?? true);
        }, "the person entered the journey");
        return place!;
    }

    [GeneratedRegex(@"https://o2o\.test/r/(\S+)")]
    private static partial Regex ClickLink();

    [GeneratedRegex(@"https://o2o\.test/u/(\S+)")]
    private static partial Regex UnsubscribeLink();
}
