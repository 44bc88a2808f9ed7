namespace O2O.Grains.Segments;

/// <summary>What a due wheel wakes: profiles to re-segment, or people whose journey step is due.</summary>
public enum WheelKind : byte
{
    Segments = 1,
    Journeys = 2,
}

/// <summary>
/// Bucket arithmetic of the due wheels. A bucket is a slot of <see cref="Resolution"/> (a local day
/// for segments, a quarter hour for journeys); something due at instant t goes into the first bucket
/// whose start is at or after t, and the tick at time T runs every bucket that starts at or before T.
/// So a bucket never runs before what it holds is due, and nothing due is left behind.
/// </summary>
public static class DueWheel
{
    public static TimeSpan Resolution(WheelKind kind) => kind == WheelKind.Segments ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(15);

    /// <summary>The bucket something due at <paramref name="due"/> waits in.</summary>
    public static long BucketOf(WheelKind kind, DateTimeOffset due, TimeSpan utcOffset)
    {
        var res = Resolution(kind).Ticks;
        var local = due.UtcTicks + utcOffset.Ticks;
        return local / res + (local % res == 0 ? 0 : 1);
    }

    /// <summary>The newest bucket a tick at <paramref name="now"/> may run.</summary>
    public static long CurrentBucket(WheelKind kind, DateTimeOffset now, TimeSpan utcOffset) =>
        (now.UtcTicks + utcOffset.Ticks) / Resolution(kind).Ticks;

    /// <summary>When a bucket starts.</summary>
    public static DateTimeOffset StartOf(WheelKind kind, long bucket, TimeSpan utcOffset) =>
        new(bucket * Resolution(kind).Ticks - utcOffset.Ticks, TimeSpan.Zero);

    public static string Key(string tenant, WheelKind kind, long bucket) =>
        TenantKey.Compose(tenant, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(byte)kind}/{bucket}"));
}
