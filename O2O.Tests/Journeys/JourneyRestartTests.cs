using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Grains.Segments;
using O2O.Tests.Infrastructure;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace O2O.Tests.Journeys;

/// <summary>
/// A silo killed between two steps of a journey: its successor, on the same durable storage (a real
/// redis-server), runs the second step once and never the first again.
/// </summary>
[Collection(NurtureCollection.Name)]
[Trait("Category", "Slow")]
public sealed class JourneyRestartTests(NurtureCluster nurture, RedisFixture redis)
{
    // A clock of its own: the shared nurture clock may stand days ahead after other tests, and the two
    // clusters of this test (silos and journeys alike) must start from the same known morning.
    private static readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider s_clock = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(7)));
    private static string s_redis = "";
    private static int s_smtp;

    [Fact]
    public async Task ASiloKilledBetweenTwoStepsNeitherSkipsNorRepeatsAStep()
    {
        (s_redis, s_smtp) = (redis.ConnectionString, nurture.Smtp.Port);
        var serviceId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var events = new EventMaker(ClusterFixture.NewTenant(), s_clock);
        var phone = "+8493" + Random.Shared.Next(1000000, 9999999);
        var email = $"giang.{Guid.NewGuid():N}"[..14] + "@khach.vn";
        var journey = new JourneyDefinition
        {
            Id = "two-steps",
            Name = "Hai bước",
            Active = true,
            Audience = new JourneyAudience { Segment = "potential" },
            Steps =
            [
                new JourneyStep { Id = "first", Type = StepType.Send, Channel = MessageChannel.Email, Subject = "Bước 1", Body = "Chào {{ ten }}: https://shop.vn/1" },
                new JourneyStep { Id = "pause", Type = StepType.Wait, Duration = TimeSpan.FromDays(3) },
                new JourneyStep { Id = "second", Type = StepType.Send, Channel = MessageChannel.Email, Subject = "Bước 2", Body = "Chào {{ ten }}: https://shop.vn/2" },
                new JourneyStep { Id = "rest", Type = StepType.Wait, Duration = TimeSpan.FromDays(3) },
            ],
        };

        var before = await StartAsync(serviceId);
        try
        {
            // A fresh client may not have the silo's grain types yet ("could not find an implementation"): retried until it has.
            await Waits.UntilAsync(async () =>
            {
                await before.Client.GetGrain<IJourneyGrain>(TenantKey.Compose(events.Tenant, journey.Id)).SaveAsync(journey);
                return true;
            }, "the journey is saved");
            var applier = new EventApplier(before.Client, new IdentityResolver(before.Client, TestSecrets.Pseudonyms), s_clock);
            await applier.ApplyAsync([
                events.Page("anon-giang", "/uu-dai", new AdTouch { Source = "zalo", Campaign = "tet" }),
                events.Identify("anon-giang", phone, "Đỗ Thu Giang") with { Email = email, Consents = NurtureCluster.MarketingConsent }]);
            await Waits.UntilAsync(() => nurture.Smtp.To(email).Count == 1, "the first step's email arrived");
        }
        finally
        {
            await before.KillSiloAsync(before.Primary!);
            await before.DisposeAsync();
        }

        var after = await StartAsync(serviceId);
        try
        {
            var tenantClock = after.Client.GetGrain<ITenantClockGrain>(events.Tenant);
            await Waits.UntilAsync(async () => (await tenantClock.GetPendingAsync()).Count > 0, "the successor silo answers");
            var profileId = (await after.Client.Identity(IdentityKey.Of(events.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetProfileAsync())!;
            var journeys = after.Client.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(events.Tenant, profileId));
            // Day by day for ten days: the second step is due three days after the first (a few minutes
            // later if the silo was lost between sending the first and starting the wait), the end three after that.
            for (var day = 1; day <= 10; day++)
            {
                s_clock.SetUtcNow(s_clock.GetUtcNow().AddDays(1));
                await tenantClock.TickAsync();
                // Everything due today runs today, as it would with a day between ticks: a tick the call
                // joined may have started before the clock moved (the tenant's reminder fires too), or a
                // wake-up may have failed and stayed on the wheel, and a place woken on a later day would
                // start its wait from that day. So tick until nothing due is left.
                var today = s_clock.GetUtcNow();
                await Waits.UntilAsync(async () =>
                {
                    await tenantClock.TickAsync();
                    return (await journeys.GetAsync()).Places.All(p => p.Status != PlaceStatus.Active || p.WakeAt is null || p.WakeAt > today);
                }, $"day {day}'s wake-ups ran");
            }
            // Ticked again while waiting, as the tenant's reminder would: a wake-up the successor put on the
            // wheel just after one of the ticks above is already due.
            try
            {
                await Waits.UntilAsync(async () => { await tenantClock.TickAsync(); return nurture.Smtp.To(email).Count >= 2; }, "the second step's email arrived");
            }
            catch (TimeoutException)
            {
                // What the successor holds, so a failure says where the journey stopped.
                var view = await journeys.GetAsync();
                var pending = await tenantClock.GetPendingAsync();
                throw new TimeoutException(
                    $"the second step's email never arrived at {s_clock.GetUtcNow():O}; places: "
                    + string.Join("; ", view.Places.Select(p => $"{p.JourneyId}@{p.StepId} {p.Status} wake {p.WakeAt:O}"))
                    + "; messages: " + string.Join("; ", view.Messages.Select(m => $"{m.StepId} {m.Status}"))
                    + "; pending buckets: " + string.Join("; ", pending.Select(p => $"{p.Key} [{string.Join(",", p.Value)}]")));
            }
            await Waits.UntilAsync(async () => { await tenantClock.TickAsync(); return (await journeys.GetAsync()).Places.Single().Status == PlaceStatus.Finished; }, "the journey finished");

            var mails = nurture.Smtp.To(email);
            mails.Select(m => m.Subject).ShouldBe(["Bước 1", "Bước 2"]);
            mails.Select(m => m.MessageId).Distinct().Count().ShouldBe(2);
            var person = await journeys.GetAsync();
            person.Messages.Select(m => m.StepId).ShouldBe(["first", "second"]);
            // The first is Delivered; still Sending when the silo died before the messaging service recorded
            // its outcome; or Failed when the kill cut the SMTP session after the server had taken the mail
            // (the sender cannot tell). Either way it went out once, as the mailbox shows above.
            person.Messages[0].Status.ShouldBeOneOf(DeliveryStatus.Delivered, DeliveryStatus.Sending, DeliveryStatus.Failed);
            person.Messages[1].Status.ShouldBe(DeliveryStatus.Delivered);
            person.Places.Single().Status.ShouldBe(PlaceStatus.Finished);
        }
        finally
        {
            await after.StopAllSilosAsync();
            await after.DisposeAsync();
        }
    }

    private static async Task<TestCluster> StartAsync(string serviceId)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = serviceId + "-" + Guid.NewGuid().ToString("N")[..4];
        builder.AddSiloBuilderConfigurator<DurableSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class DurableSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            foreach (var name in StorageNames.All)
            {
                silo.AddRedisGrainStorage(name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            }
            silo.UseInMemoryReminderService();
            silo.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromDays(3650));
            silo.ConfigureServices(services =>
            {
                services.AddTestClock(s_clock);
                NurtureCluster.ConfigureJourneys(services, s_smtp);
            });
        }
    }
}
