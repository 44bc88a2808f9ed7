using Microsoft.Extensions.Logging;

namespace O2O.Grains;

/// <summary>Starting a grain's reminder from a call that must not fail because of it.</summary>
public static partial class Reminders
{
    /// <summary>
    /// Registers (or updates) the reminder; false when the reminder service refused or did not answer,
    /// which it does while it is still starting up ("still initializing" after 20 s). The caller has
    /// stored what the reminder is for and tries again on its next call, so the call that brought the
    /// work (people put on the wheel, a profile listed for retention) is not refused for it.
    /// </summary>
    public static async Task<bool> TryStartAsync(this Grain grain, string name, TimeSpan dueTime, TimeSpan period, ILogger logger)
    {
        try
        {
            await grain.RegisterOrUpdateReminder(name, dueTime, period);
            return true;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogNotStarted(logger, name, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reminder {Reminder} could not be started yet; the next call that needs it tries again")]
    private static partial void LogNotStarted(ILogger logger, string reminder, Exception exception);
}
