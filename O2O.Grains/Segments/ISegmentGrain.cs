namespace O2O.Grains.Segments;

/// <summary>
/// One segment of one tenant: its members, entries and exits per day, and the journeys whose
/// audience it is. Key: <c>{tenant}/{segment slug}</c> (<see cref="SegmentKey"/>).
/// </summary>
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>People who entered or left the segment. Entries start the segment's audience journeys.</summary>
    Task RecordAsync(IReadOnlyList<SegmentMove> moves);

    /// <summary>Size now and entries/exits over the last <paramref name="days"/> local days.</summary>
    Task<SegmentStats> GetStatsAsync(int days);

    /// <summary>A page of member profile ids in a stable order.</summary>
    Task<IReadOnlyList<string>> GetMembersAsync(int skip, int take);

    /// <summary>Makes <paramref name="journeyId"/> start for everyone who enters (or stop doing so).</summary>
    Task SetAudienceAsync(string journeyId, bool active);
}

public static class SegmentKey
{
    public static string For(string tenant, Segment segment) => TenantKey.Compose(tenant, SegmentCatalog.Slug(segment));
}

/// <summary>One person entering or leaving one segment.</summary>
[GenerateSerializer, Immutable, Alias("o2o.segment-move")]
public sealed record SegmentMove(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] bool Entered,
    [property: Id(2)] DateTimeOffset At);

/// <summary>A profile's segments before and after an evaluation.</summary>
[GenerateSerializer, Immutable, Alias("o2o.segment-change")]
public sealed record SegmentChange(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] Segment Before,
    [property: Id(2)] Segment After,
    [property: Id(3)] DateTimeOffset At)
{
    public Segment Entered => After & ~Before;

    public Segment Exited => Before & ~After;
}

[GenerateSerializer, Immutable, Alias("o2o.segment-day")]
public sealed record SegmentDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] int Entered,
    [property: Id(2)] int Exited);

[GenerateSerializer, Immutable, Alias("o2o.segment-stats")]
public sealed record SegmentStats(
    [property: Id(0)] string Segment,
    [property: Id(1)] string Label,
    [property: Id(2)] int Size,
    [property: Id(3)] IReadOnlyList<SegmentDay> Days,
    [property: Id(4)] IReadOnlyList<string> Journeys);
