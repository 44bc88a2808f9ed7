using Microsoft.Extensions.DependencyInjection;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// Puts a test's fake clock into a test silo for the domain only. Orleans resolves its own clocks from
/// the same container: registered alone, the fake clock also drove the reminder service's table reads
/// and retries, request timeouts, membership and directory upkeep, so a clock the tests hold still
/// froze them. A reminder service whose first read failed at start-up (a loaded machine) then never
/// retried, and every registration failed after 20 s with "Reminder Service is still initializing";
/// a test moving the clock by days timed out calls in flight. Orleans asks those areas for keyed clocks
/// (<see cref="Orleans.Runtime.TimeProviderNames"/>): they get the real one. Grains and their timers
/// keep the fake clock.
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
        services.AddSingleton(clock);
        foreach (var area in RuntimeAreas)
        {
            services.AddKeyedSingleton(area, TimeProvider.System);
        }
        return services;
    }
}
