using Orleans.TestingHost;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// Waits until a test cluster's reminder service takes registrations. Orleans starts it in the
/// background once the silo is active: its first read of the reminder table is a grain call, and if
/// that read fails on a loaded machine the service tries again only after up to 30 s, while every
/// registration meanwhile waits 20 s and then fails with "Reminder Service is still initializing"
/// (on the fake clock alone it never tried again: <see cref="TestClock"/>).
/// Orleans offers no signal for "started", so a probe grain registers a reminder (and removes it
/// again) until one goes through, before the first test uses the cluster. Past <see cref="Limit"/> the
/// tests go ahead: those that need reminders then fail with Orleans' own message, the others run.
/// </summary>
public static class ReminderServiceReady
{
    // Enough grains that every silo's share of the ring almost surely gets one.
    private const int Probes = 16;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public static async Task WaitAsync(TestCluster cluster)
    {
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, Probes).Select(n => cluster.Client.GetGrain<IReminderProbeGrain>(n).RegisterAndRemoveAsync()));
                return;
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                TestContext.Current.SendDiagnosticMessage($"Reminder service not ready yet (attempt {attempt}): {ex.Message}");
                if (DateTime.UtcNow - started >= Limit)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>A grain of the tests only: registers a reminder and removes it again.</summary>
public interface IReminderProbeGrain : IGrainWithIntegerKey
{
    Task RegisterAndRemoveAsync();
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public async Task RegisterAndRemoveAsync()
    {
        var reminder = await this.RegisterOrUpdateReminder("probe", TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
