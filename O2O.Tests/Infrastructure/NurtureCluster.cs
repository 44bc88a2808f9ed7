using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using O2O.Grains;
using O2O.Silo.Messaging;
using O2O.Grains.Consent;
using O2O.Grains.Journeys;
using O2O.Grains.Journeys.Messaging;
using O2O.Grains.Privacy;
using O2O.Grains.Segments;
using Orleans.TestingHost;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// A real Orleans test cluster for segments and journeys, with a clock of its own (these tests move
/// it by days, which the shared cluster's tests must not see) and a real SMTP server it sends email to.
/// </summary>
public sealed class NurtureCluster() : GrainTestCluster<NurtureCluster.SiloConfigurator>(1, Clock)
{
    /// <summary>Monday 2 November 2026, 09:00 in Vietnam.</summary>
    public static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(7)));

    private static int s_smtpPort;

    public SmtpSink Smtp { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync();
        s_smtpPort = Smtp.Port;
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>
    /// Moves the clock to <paramref name="at"/> (rounded up to the start of a journey wheel bucket, a
    /// quarter hour, so everything due by then runs) and runs the tenant's due wheels. The tenant's
    /// reminder runs on the same fake clock and may already have ticked when the clock moved; this
    /// tick then joins it or finds nothing left, so when it returns everything due has run.
    /// </summary>
    public async Task<int> TickAtAsync(string tenant, DateTimeOffset at)
    {
        Ticking = tenant;
        var bucket = DueWheel.Resolution(WheelKind.Journeys).Ticks;
        at = new DateTimeOffset((at.UtcTicks + bucket - 1) / bucket * bucket, TimeSpan.Zero);
        if (at > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(at);
        }
        return await Grains.GetGrain<ITenantClockGrain>(tenant).TickAsync();
    }

    /// <summary>The tenant a test last ticked; null until it ticks.</summary>
    public string? Ticking { get; set; }

    /// <summary>
    /// Ticks the last ticked tenant again at the same time, as its reminder would in production. A person
    /// woken by a tick may put their next wake-up on the wheel just after that tick ran (its registration
    /// is one-way, and a tick does not wait for people still saving); waits that follow a tick call this,
    /// so such a wake-up, due already, is not left for a reminder the fake clock never fires.
    /// </summary>
    public Task<int> TickAgainAsync() => Ticking is { } tenant ? Grains.GetGrain<ITenantClockGrain>(tenant).TickAsync() : Task.FromResult(0);

    /// <summary>
    /// Moves the shared clock forward to 09:00 in the stores' time zone when it stands in quiet hours
    /// (21:00-08:00), so a test that expects a message at once does not inherit the night a previous
    /// test left the clock in. Never moves it back: grain state already saw the later time.
    /// </summary>
    public static void LeaveQuietHours()
    {
        var o = new JourneyOptions();
        var local = Clock.GetUtcNow().ToOffset(new O2O.Grains.Stores.StoreOptions().UtcOffset);
        if (SendGuard.QuietUntil(local, local.Offset, o) is { } morning)
        {
            Clock.SetUtcNow(morning + TimeSpan.FromHours(1));
        }
    }

    /// <summary>Marketing on every channel, as a web form grants it: journeys may message the person.</summary>
    public static readonly ConsentChange[] MarketingConsent = [new(ConsentPurpose.Marketing, ConsentChannel.All, true, ConsentSource.WebForm, "2026-11")];

    /// <summary>
    /// Adds every member the journeys of a test need: options, the pseudonym secret, and the product's
    /// messaging (<see cref="MessageSender"/> with its SMTP channel) pointed at the SMTP sink.
    /// </summary>
    public static void ConfigureJourneys(IServiceCollection services, int smtpPort)
    {
        services.AddO2OGrainOptions();
        services.Configure<PrivacyOptions>(o => o.PseudonymSecret = TestSecrets.PseudonymSecret);
        services.Configure<JourneyOptions>(o => o.PublicBaseUrl = "https://o2o.test");
        services.AddOptions<MessagingOptions>().Configure(o =>
        {
            o.Email.Host = "127.0.0.1";
            o.Email.Port = smtpPort;
            o.Email.Security = "None";
            o.Email.CostPerMessage = EmailCost;
        });
        services.AddSingleton<IMessageChannel, SmtpEmailChannel>();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<IJourneyMessenger, JourneyMessenger>();
    }

    /// <summary>What the test SMTP provider charges per email, in VND.</summary>
    public const long EmailCost = 25;

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            foreach (var name in StorageNames.All)
            {
                silo.AddMemoryGrainStorage(name);
            }
            silo.UseInMemoryReminderService();
            // Orleans collects idle activations by the injected clock; these tests jump it by weeks,
            // which would collect the in-memory storage itself.
            silo.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromDays(3650));
            silo.ConfigureServices(services =>
            {
                services.AddTestClock(Clock);
                ConfigureJourneys(services, s_smtpPort);
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NurtureCollection : ICollectionFixture<NurtureCluster>
{
    public const string Name = "nurture";
}

/// <summary>Polls a condition that other grains make true asynchronously; the limit bounds a hang, it measures nothing.</summary>
public static class Waits
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                last = ex;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Still not true after the limit: {what} ({last?.Message})");
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? limit = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, limit);
}
