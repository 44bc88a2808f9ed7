using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Journeys;

/// <summary>
/// The production topology: journey grains run in <c>O2O.Silo</c> processes, no Api among them, and
/// send through the messaging those silos configure from the same <c>O2O:Messaging</c> keys.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SiloJourneyTests(AzuriteFixture azurite, RedisFixture redis)
{
    [Fact]
    public async Task ASiloWithoutTheApiSendsAJourneysEmailAndRecordsItsCost()
    {
        await using var smtp = await SmtpSink.StartAsync();
        var clusterId = "journeys-" + Guid.NewGuid().ToString("N")[..8];
        using var silo = await SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString, new Dictionary<string, string>
        {
            ["O2O__Messaging__Email__Host"] = "127.0.0.1",
            ["O2O__Messaging__Email__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["O2O__Messaging__Email__Security"] = "None",
            ["O2O__Messaging__Email__CostPerMessage"] = "25",
            ["O2O__Journeys__PublicBaseUrl"] = "https://o2o.test",
            // The silo runs on the wall clock, which may be night in Vietnam: no quiet hours here.
            ["O2O__Journeys__QuietFrom"] = "00:00:00",
            ["O2O__Journeys__QuietUntil"] = "00:00:00",
        });
        using var client = await SiloProcess.StartClientAsync(clusterId, redis.ConnectionString);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var applier = new EventApplier(grains, new IdentityResolver(grains, TestSecrets.Pseudonyms), TimeProvider.System);
        var events = new EventMaker(ClusterFixture.NewTenant());
        await grains.GetGrain<IJourneyGrain>(TenantKey.Compose(events.Tenant, "winback")).SaveAsync(JourneyTests.Winback("winback", "potential"));

        var phone = "+8490" + Random.Shared.Next(1000000, 9999999).ToString(CultureInfo.InvariantCulture);
        var email = $"tam.{Guid.NewGuid():N}"[..12] + "@khach.vn";
        await applier.ApplyAsync([
            events.Page("anon-tam", "/uu-dai", new AdTouch { Source = "facebook", Campaign = "tet" }),
            events.Identify("anon-tam", phone, "Lê Văn Tâm") with { Email = email, Consents = NurtureCluster.MarketingConsent },
        ]);

        await Waits.UntilAsync(() => smtp.To(email).Count == 1, "the silo emailed the person who entered the journey", TimeSpan.FromSeconds(90));
        var mail = smtp.To(email)[0];
        mail.Subject.ShouldBe("Tâm ơi, ưu đãi dành riêng cho bạn");
        mail.Headers["List-Unsubscribe"]!.ShouldContain("https://o2o.test/u/");
        var profileId = (await grains.Identity(IdentityKey.Of(events.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetProfileAsync())!;
        var person = grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(events.Tenant, profileId));
        // The SMTP server has the mail before the grain records the sender's answer (status and the provider's cost).
        await Waits.UntilAsync(async () => (await person.GetAsync()).Messages is [{ Status: not DeliveryStatus.Sending }], "the message's outcome is recorded on the person");
        var message = (await person.GetAsync()).Messages[0];
        (message.Status, message.Channel, message.Cost).ShouldBe((DeliveryStatus.Delivered, MessageChannel.Email, 25L));
        var journey = grains.GetGrain<IJourneyGrain>(TenantKey.Compose(events.Tenant, "winback"));
        await Waits.UntilAsync(async () => (await journey.GetReportAsync())!.Messaged == 1, "the journey's funnel counts the message");
    }
}
