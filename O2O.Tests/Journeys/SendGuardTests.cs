using O2O.Grains.Journeys;

namespace O2O.Tests.Journeys;

/// <summary>The never-spam rules and the master channel, without a silo.</summary>
public sealed class SendGuardTests
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    private static readonly JourneyOptions Options = new();
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 0, 0, 0, Vietnam);

    [Theory]
    [InlineData(20, 59, null)]
    [InlineData(21, 0, 8)]
    [InlineData(23, 30, 8)]
    [InlineData(3, 0, 8)]
    [InlineData(8, 0, null)]
    public void QuietHoursHoldMessagesUntilEightInTheStoresTimeZone(int hour, int minute, int? wakeHour)
    {
        var at = Monday.AddHours(hour).AddMinutes(minute);

        var verdict = SendGuard.Check([], "j", consented: true, at, Vietnam, Options);

        if (wakeHour is null)
        {
            verdict.Allowed.ShouldBeTrue();
            return;
        }
        var expected = (hour >= 21 ? Monday.AddDays(1) : Monday).AddHours(wakeHour.Value);
        verdict.DelayUntil.ShouldBe(expected);
    }

    [Fact]
    public void AnotherJourneysMessageTodayPutsThisOneOffToTomorrowMorning()
    {
        var now = Monday.AddHours(15);

        var verdict = SendGuard.Check([new SentMessage(Monday.AddHours(9), "other")], "this", true, now, Vietnam, Options);
        var sameJourney = SendGuard.Check([new SentMessage(Monday.AddHours(9), "this")], "this", true, now, Vietnam, Options);

        verdict.DelayUntil.ShouldBe(Monday.AddDays(1).AddHours(8));
        sameJourney.Allowed.ShouldBeTrue();
    }

    [Fact]
    public void TheCapCountsEveryChannelAndJourneyOverSevenDays()
    {
        var sent = new[] { new SentMessage(Monday.AddHours(9), "a"), new SentMessage(Monday.AddDays(3).AddHours(9), "b") };

        SendGuard.Check(sent, "a", true, Monday.AddDays(5).AddHours(9), Vietnam, Options).Suppressed.ShouldBe(SuppressReason.FrequencyCap);
        SendGuard.Check(sent, "a", true, Monday.AddDays(7).AddHours(10), Vietnam, Options).Allowed.ShouldBeTrue();
        SendGuard.Check([], "a", consented: false, Monday.AddHours(9), Vietnam, Options).Suppressed.ShouldBe(SuppressReason.NoConsent);
    }

    [Fact]
    public void TheMasterChannelFollowsThePersonsOwnResponsesOverTheTenantsPrior()
    {
        var tenant = new Dictionary<MessageChannel, ChannelTally> { [MessageChannel.Zalo] = new(1000, 200), [MessageChannel.Email] = new(1000, 50) };
        MessageChannel[] reachable = [MessageChannel.Zalo, MessageChannel.Email];

        var newcomer = MasterChannel.Choose(reachable, new Dictionary<MessageChannel, ChannelTally>(), tenant, 4);
        var emailFan = MasterChannel.Choose(reachable,
            new Dictionary<MessageChannel, ChannelTally> { [MessageChannel.Zalo] = new(4, 0), [MessageChannel.Email] = new(3, 3) }, tenant, 4);
        var noZalo = MasterChannel.Choose([MessageChannel.Email], new Dictionary<MessageChannel, ChannelTally>(), tenant, 4);

        newcomer.ShouldBe(MessageChannel.Zalo);
        emailFan.ShouldBe(MessageChannel.Email);
        noZalo.ShouldBe(MessageChannel.Email);
    }
}
