using O2O.Grains.Consent;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;

namespace O2O.Tests.Privacy;

/// <summary>The consent ledger's rules, without a silo.</summary>
public sealed class ConsentLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(7));

    private static ConsentRecord Record(ConsentPurpose purpose, ConsentChannel channel, bool granted, DateTimeOffset at, ConsentSource source = ConsentSource.WebForm, string wording = "v1") =>
        new(purpose, channel, granted, source, at, wording, "m-" + at.ToUnixTimeSeconds());

    [Fact]
    public void SilenceIsNotConsent()
    {
        var ledger = new ConsentLedger();
        ledger.Check(ConsentPurpose.AdSharing).ShouldBe(ConsentDecision.NeverGiven);
        ledger.Check(ConsentPurpose.Marketing, ConsentChannel.Sms).Allowed.ShouldBeFalse();
    }

    [Fact]
    public void AWithdrawalOverridesTheEarlierGrantAndKeepsBothOnRecord()
    {
        var ledger = new ConsentLedger();
        ledger.Record(Record(ConsentPurpose.AdSharing, ConsentChannel.All, true, T0, ConsentSource.PosTablet, "pos-2026-01"));
        ledger.Check(ConsentPurpose.AdSharing).Allowed.ShouldBeTrue();

        ledger.Record(Record(ConsentPurpose.AdSharing, ConsentChannel.All, false, T0.AddDays(3), ConsentSource.BillQrPage, "qr-2026-02"));

        var decision = ledger.Check(ConsentPurpose.AdSharing);
        decision.Allowed.ShouldBeFalse();
        decision.Basis!.Source.ShouldBe(ConsentSource.BillQrPage);
        decision.Basis.WordingVersion.ShouldBe("qr-2026-02");
        ledger.History.Select(r => r.Granted).ShouldBe([true, false]);
    }

    [Fact]
    public void TheLatestDecisionWinsWhetherPerChannelOrForEveryChannel()
    {
        var ledger = new ConsentLedger();
        ledger.Record(Record(ConsentPurpose.Marketing, ConsentChannel.Sms, true, T0));
        ledger.Record(Record(ConsentPurpose.Marketing, ConsentChannel.Zalo, true, T0));
        ledger.Record(Record(ConsentPurpose.Marketing, ConsentChannel.All, false, T0.AddDays(1)));
        ledger.Check(ConsentPurpose.Marketing, ConsentChannel.Sms).Allowed.ShouldBeFalse();

        ledger.Record(Record(ConsentPurpose.Marketing, ConsentChannel.Zalo, true, T0.AddDays(2)));
        ledger.MarketingChannels().ShouldBe([ConsentChannel.Zalo]);
    }

    [Fact]
    public void AnEventArrivingLateDoesNotOverrideALaterDecision()
    {
        var ledger = new ConsentLedger();
        ledger.Record(Record(ConsentPurpose.AdSharing, ConsentChannel.All, false, T0.AddHours(2)));
        ledger.Record(Record(ConsentPurpose.AdSharing, ConsentChannel.All, true, T0));
        ledger.Check(ConsentPurpose.AdSharing).Allowed.ShouldBeFalse();
        ledger.History.Select(r => r.At).ShouldBe([T0, T0.AddHours(2)]);
    }

    [Fact]
    public void TheLeadCardShowsTheChannelsTheConsultantMayUse()
    {
        var profile = new ProfileState();
        profile.Consents.Record(Record(ConsentPurpose.Marketing, ConsentChannel.PhoneCall, true, T0));
        profile.Consents.Record(Record(ConsentPurpose.Marketing, ConsentChannel.Email, false, T0));

        var facts = LeadInsights.FactsOf(profile);

        facts.ContactConsent.ShouldBe([ConsentChannel.PhoneCall]);
        var card = LeadInsights.Card("L1", new LeadRequest(new LeadSnapshot("p1", null, null, 10, T0, FunnelStage.Engaged, null, []), LeadTrigger.Contact, "online", facts), [], T0);
        card.ContactConsent.ShouldBe([ConsentChannel.PhoneCall]);
    }
}
