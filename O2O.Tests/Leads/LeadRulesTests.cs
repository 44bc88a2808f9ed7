using O2O.Grains.Events;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;

namespace O2O.Tests.Leads;

public sealed class LeadRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static LeadSnapshot Lead(double score, string? name = null, string? phone = null) =>
        new("p", name, phone, score, Now, FunnelStage.Engaged, null, []);

    private static CustomerEvent Event(EventType type, string? name = null, string? store = null) =>
        new() { MessageId = Guid.NewGuid().ToString(), Tenant = "t", Type = type, Name = name, StoreId = store, Timestamp = Now };

    [Fact]
    public void CrossingTheHotThresholdRaisesOnceNotOnEveryClick()
    {
        LeadTriggers.Detect([Event(EventType.Page)], Lead(61), priorScore: 55, hotThreshold: 60).ShouldBe(LeadTrigger.HotScore);
        LeadTriggers.Detect([Event(EventType.Page)], Lead(65), priorScore: 61, hotThreshold: 60).ShouldBeNull();
        LeadTriggers.Detect([Event(EventType.Page)], Lead(30), priorScore: 25, hotThreshold: 60).ShouldBeNull();
    }

    [Fact]
    public void AContactRaisesALeadWhateverTheScore()
    {
        LeadTriggers.Detect([Event(EventType.Track, SegmentEvents.ChatStarted)], Lead(10), 0, 60).ShouldBe(LeadTrigger.Contact);
    }

    [Fact]
    public void ACheckInRaisesOnlyForSomeoneKnown()
    {
        LeadTriggers.Detect([Event(EventType.CheckIn, store: "HCM01")], Lead(30, phone: "090****123"), 0, 60).ShouldBe(LeadTrigger.StoreCheckIn);
        LeadTriggers.Detect([Event(EventType.CheckIn, store: "HCM01")], Lead(30), priorScore: 12, 60).ShouldBe(LeadTrigger.StoreCheckIn);
        LeadTriggers.Detect([Event(EventType.CheckIn, store: "HCM01")], Lead(30), priorScore: 0, 60).ShouldBeNull();
    }

    [Fact]
    public void RoutingPrefersFewestOpenThenLongestWaitingAndSkipsFullOfflineAndTried()
    {
        Seat[] seats =
        [
            new("busy", ConsultantRole.Consultant, true, 3, 1),
            new("recent", ConsultantRole.Consultant, true, 1, 9),
            new("waited", ConsultantRole.Consultant, true, 1, 2),
            new("away", ConsultantRole.Consultant, false, 0, 0),
            new("boss", ConsultantRole.Manager, true, 0, 0),
            new("full", ConsultantRole.Consultant, true, 5, 0),
        ];
        LeadRouting.Pick(seats, cap: 5, new HashSet<string>()).ShouldBe("waited");
        LeadRouting.Pick(seats, cap: 5, new HashSet<string> { "waited" }).ShouldBe("recent");
        LeadRouting.Pick(seats, cap: 5, new HashSet<string> { "waited", "recent", "busy" }).ShouldBeNull();
        LeadRouting.Exhausted(seats, new HashSet<string> { "waited", "recent", "busy", "full" }).ShouldBeTrue();
    }

    [Fact]
    public void AnAdminSetCapReplacesTheDefaultForThatConsultantOnly()
    {
        Seat[] seats =
        [
            new("capped", ConsultantRole.Consultant, true, 1, 0, Cap: 1),
            new("raised", ConsultantRole.Consultant, true, 6, 1, Cap: 8),
            new("default", ConsultantRole.Consultant, true, 5, 2),
        ];
        LeadRouting.Pick(seats, cap: 5, new HashSet<string>()).ShouldBe("raised");
        LeadRouting.Pick(seats, cap: 5, new HashSet<string> { "raised" }).ShouldBeNull("'capped' is at their own cap of 1, 'default' at the default 5");
    }

    [Fact]
    public void TheMostSpecificMatchingScriptWins()
    {
        List<ScriptRule> rules =
        [
            new() { Id = "default", Text = "Xin chào" },
            new() { Id = "contacted", Stages = [FunnelStage.Contacted], Text = "Gọi lại" },
            new() { Id = "pricing", Stages = [FunnelStage.Contacted], Interest = "bang-gia", Text = "Báo giá {interest}" },
            new() { Id = "loyal", Segments = ["loyal"], Text = "Khách thân thiết" },
        ];
        LeadInsights.ScriptFor(FunnelStage.Contacted, "bang-gia", "potential", rules)!.Text.ShouldBe("Báo giá bang-gia");
        LeadInsights.ScriptFor(FunnelStage.Contacted, "ao-dai", "potential", rules)!.Id.ShouldBe("contacted");
        LeadInsights.ScriptFor(FunnelStage.Engaged, null, "loyal", rules)!.Id.ShouldBe("loyal");
        LeadInsights.ScriptFor(FunnelStage.Engaged, null, "new", rules)!.Id.ShouldBe("default");
    }

    [Fact]
    public void OnSiteIntentPromptsOncePerSessionAndOnlyWithAConsultant()
    {
        var o = new IntentOptions();
        OnSiteIntent.Decide(1, 10, 75, 0, consultantAvailable: true, o).Action.ShouldBe(IntentAction.Call);
        OnSiteIntent.Decide(5, 10, 0, 0, consultantAvailable: true, o).Action.ShouldBe(IntentAction.Chat);
        OnSiteIntent.Decide(5, 10, 0, 1, consultantAvailable: true, o).Action.ShouldBe(IntentAction.None);
        OnSiteIntent.Decide(5, 10, 75, 0, consultantAvailable: false, o).Action.ShouldBe(IntentAction.None);
        OnSiteIntent.Decide(1, 10, 0, 0, consultantAvailable: true, o).Action.ShouldBe(IntentAction.None);
    }
}
