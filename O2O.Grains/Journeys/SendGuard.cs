namespace O2O.Grains.Journeys;

/// <summary>Why a message did not go out.</summary>
public enum SuppressReason : byte
{
    Unsubscribed = 1,
    NoConsent = 2,
    FrequencyCap = 3,
    NoAddress = 4,
    ChannelUnavailable = 5,
}

/// <summary>The never-spam verdict for one message.</summary>
/// <param name="DelayUntil">Set when the message must wait (quiet hours, another journey's message today).</param>
/// <param name="Suppressed">Set when the message must not go at all.</param>
public readonly record struct GuardVerdict(DateTimeOffset? DelayUntil, SuppressReason? Suppressed)
{
    public static readonly GuardVerdict Send = default;

    public bool Allowed => DelayUntil is null && Suppressed is null;
}

/// <summary>A message a person got, as the guard counts it.</summary>
public readonly record struct SentMessage(DateTimeOffset At, string JourneyId);

/// <summary>
/// The never-spam rules, checked when a message is about to go: consent and unsubscribe per
/// channel, quiet hours in the store's time zone, one journey per person per day, and a cap per
/// person across every channel and journey. Pure.
/// </summary>
public static class SendGuard
{
    public static GuardVerdict Check(
        IReadOnlyList<SentMessage> sent, string journeyId, bool consented, DateTimeOffset now, TimeSpan utcOffset, JourneyOptions o)
    {
        if (!consented)
        {
            return new GuardVerdict(null, SuppressReason.NoConsent);
        }
        if (QuietUntil(now, utcOffset, o) is { } wake)
        {
            return new GuardVerdict(wake, null);
        }
        var today = LocalDay(now, utcOffset);
        foreach (var m in sent)
        {
            if (m.JourneyId != journeyId && LocalDay(m.At, utcOffset) == today)
            {
                return new GuardVerdict(NextMorning(now, utcOffset, o), null);
            }
        }
        var recent = 0;
        foreach (var m in sent)
        {
            if (m.At > now - o.FrequencyWindow && m.At <= now)
            {
                recent++;
            }
        }
        return recent >= o.FrequencyCap ? new GuardVerdict(null, SuppressReason.FrequencyCap) : GuardVerdict.Send;
    }

    /// <summary>When quiet hours end, if <paramref name="now"/> is inside them; else null.</summary>
    public static DateTimeOffset? QuietUntil(DateTimeOffset now, TimeSpan utcOffset, JourneyOptions o)
    {
        var local = now.ToOffset(utcOffset);
        var t = local.TimeOfDay;
        var quiet = o.QuietFrom > o.QuietUntil
            ? t >= o.QuietFrom || t < o.QuietUntil
            : t >= o.QuietFrom && t < o.QuietUntil;
        if (!quiet)
        {
            return null;
        }
        var day = t >= o.QuietUntil ? local.Date.AddDays(1) : local.Date;
        return new DateTimeOffset(day + o.QuietUntil, utcOffset);
    }

    private static DateTimeOffset NextMorning(DateTimeOffset now, TimeSpan utcOffset, JourneyOptions o) =>
        new(now.ToOffset(utcOffset).Date.AddDays(1) + o.QuietUntil, utcOffset);

    private static DateOnly LocalDay(DateTimeOffset at, TimeSpan utcOffset) => DateOnly.FromDateTime(at.ToOffset(utcOffset).DateTime);
}
