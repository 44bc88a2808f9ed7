using O2O.Api.Messaging;
using O2O.Grains.Consent;
using O2O.Silo.Messaging;

namespace O2O.Tests.MasterData;

/// <summary>The pure rules behind messaging: consent per purpose on the one ledger, and reading the providers' delivery callbacks.</summary>
public sealed class MessageRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ACodeAlwaysGoesAnOrderLinkGoesUnlessWithdrawnAndMarketingNeedsConsent()
    {
        var withdrawn = new ConsentDecision(false, new ConsentRecord(ConsentPurpose.Marketing, ConsentChannel.Sms, false, ConsentSource.BillQrPage, At, "v1", null));
        var given = new ConsentDecision(true, new ConsentRecord(ConsentPurpose.Marketing, ConsentChannel.All, true, ConsentSource.WebForm, At, "v1", null));

        MessageConsent.Decide(MessagePurpose.Otp, withdrawn).Allowed.ShouldBeTrue();
        MessageConsent.Decide(MessagePurpose.OrderLink, ConsentDecision.NeverGiven).Allowed.ShouldBeTrue();
        MessageConsent.Decide(MessagePurpose.Referral, ConsentDecision.NeverGiven).Allowed.ShouldBeTrue();
        var refused = MessageConsent.Decide(MessagePurpose.OrderLink, withdrawn);
        refused.Allowed.ShouldBeFalse();
        refused.Reason.ShouldContain("opted out of marketing on Sms");
        MessageConsent.Decide(MessagePurpose.Marketing, ConsentDecision.NeverGiven).Allowed.ShouldBeFalse();
        MessageConsent.Decide(MessagePurpose.Marketing, given).Allowed.ShouldBeTrue();
        MessageConsent.ChannelOf(Channel.Zns).ShouldBe(ConsentChannel.Zalo);
    }

    [Theory]
    [InlineData("5", "1", "0", ReportedStatus.Delivered)]
    [InlineData("5", "0", "1", ReportedStatus.Failed)]
    [InlineData("4", "0", "0", ReportedStatus.Failed)]
    [InlineData("7", "0", "0", ReportedStatus.Pending)]
    [InlineData("2", null, null, ReportedStatus.Pending)]
    public void EsmsSendStatusIsReadAsDocumented(string status, string? success, string? failed, ReportedStatus expected) =>
        DeliveryReports.EsmsStatus(status, success, failed).ShouldBe(expected);

    [Fact]
    public void ZaloEventsAreTrustedOnlyWithTheirMac()
    {
        var zns = new ZnsOptions { AppId = "app-1", OaSecretKey = "oa-secret" };
        const string body = """{"app_id":"app-1","event_name":"user_received_message","message":{"msg_id":"z1","tracking_id":"m1"},"timestamp":"1764230400000"}""";
        var mac = DeliveryReports.ZnsMac("app-1", body, "1764230400000", "oa-secret");

        DeliveryReports.ZnsSignatureValid(zns, body, "1764230400000", "mac=" + mac).ShouldBeTrue();
        DeliveryReports.ZnsSignatureValid(zns, body.Replace("m1", "m2", StringComparison.Ordinal), "1764230400000", "mac=" + mac).ShouldBeFalse();
        DeliveryReports.ZnsSignatureValid(new ZnsOptions { AppId = "app-1" }, body, "1764230400000", "mac=" + mac).ShouldBeFalse("without the OA secret no event is trusted");
        var (_, tracking, status, at) = DeliveryReports.ReadZnsEvent(System.Text.Json.JsonDocument.Parse(body).RootElement);
        (tracking, status, at).ShouldBe(("m1", ReportedStatus.Delivered, DateTimeOffset.FromUnixTimeMilliseconds(1764230400000)));
    }
}
