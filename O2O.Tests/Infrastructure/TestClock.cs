using Microsoft.Extensions.DependencyInjection;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// Puts a test's fake clock into a test silo for the domain only. Orleans takes its own clocks from
/// the same container: registered alone, the fake clock also drove the grain directory's retry and
/// lease waits, placement's timeout, request timeouts, membership upkeep and the reminder service's
/// retries, so a clock the tests hold still froze them. At a loaded start-up the directory lookup that
/// places the reminder table waited for a fake-clock delay that never came: the reminder service never
/// read its table, and every registration failed after 20 s with "Reminder Service is still
/// initializing"; a test moving the clock by days timed out calls in flight.
/// So the silo's default clock tells the fake time and timestamps (what grains read) but runs its
/// timers, and so every delay and timeout waited through it, in real time; grain timers keep the fake
/// clock (Orleans' Grains key), and the areas Orleans asks for by key
/// (<see cref="Orleans.Runtime.TimeProviderNames"/>) get the real one.
/// </summary>
public static class TestClock
{
    private static readonly string[] RuntimeAreas =
    [
        Orleans.Runtime.TimeProviderNames.Messaging,
        Orleans.Runtime.TimeProviderNames.SystemTimers,
        Orleans.Runtime.TimeProviderNames.Membership,
        Orleans.Runtime.TimeProviderNames.ActivationManagement,
        Orleans.Runtime.TimeProviderNames.GrainDirectory,
        Orleans.Reminders.ReminderTimeProviderNames.Reminders,
    ];

    public static IServiceCollection AddTestClock(this IServiceCollection services, TimeProvider clock)
    {
        services.AddSingleton<TimeProvider>(new FakeNowRealWaits(clock));
        services.AddKeyedSingleton(Orleans.Runtime.TimeProviderNames.Grains, clock);
        foreach (var area in RuntimeAreas)
        {
            services.AddKeyedSingleton(area, TimeProvider.System);
        }
        return services;
    }

    /// <summary>
    /// The time and timestamps of <paramref name="fake"/> (grains measure idleness with timestamps, and
    /// tests move them), with the machine's timers: a delay or timeout waited through this clock ends.
    /// </summary>
    private sealed class FakeNowRealWaits(TimeProvider fake) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

        public override long GetTimestamp() => fake.GetTimestamp();

        public override long TimestampFrequency => fake.TimestampFrequency;
    }
}
