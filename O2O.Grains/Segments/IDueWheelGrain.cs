using Orleans.Concurrency;

namespace O2O.Grains.Segments;

/// <summary>
/// Who is due in one bucket of a tenant's due wheel. Key: <c>{tenant}/{kind}/{bucket}</c>
/// (<see cref="DueWheel.Key"/>); a bucket too big for one row chains links <c>{tenant}/{kind}/{bucket}/{n}</c>. A profile or person registers here only when their next due time
/// changes, so idle people cost one id in one bucket and no timer or reminder of their own.
/// </summary>
public interface IDueWheelGrain : IGrainWithStringKey
{
    /// <summary>Adds a member; the first one makes the tenant's clock run this bucket when it is due.</summary>
    Task AddAsync(string id);

    /// <summary>Adds several members in one write (a batch's profiles that entered this bucket).</summary>
    Task AddAllAsync(IReadOnlyList<string> ids);

    /// <summary>
    /// On a link of a bucket's chain (called by the head): holds what fits of <paramref name="ids"/>
    /// and answers the ids that did not fit, once the ones it took are stored.
    /// </summary>
    Task<string[]> TakeAsync(string[] ids);

    /// <summary>Takes a member out (their due time moved).</summary>
    [OneWay]
    Task RemoveAsync(string id);

    /// <summary>How many members wait in this bucket.</summary>
    Task<int> CountAsync();

    /// <summary>Wakes every member, then empties the bucket. Members whose wake-up failed stay for the next tick.</summary>
    [ResponseTimeout("00:30:00")]
    Task<WheelRun> RunAsync();
}

/// <summary>What running a bucket did: members woken, and members left for the next tick.</summary>
[GenerateSerializer, Immutable, Alias("o2o.wheel-run")]
public sealed record WheelRun([property: Id(0)] int Woken, [property: Id(1)] int Left);

/// <summary>
/// A tenant's clock for its due wheels. Key: tenant. One reminder per tenant runs the buckets that
/// are due; a tick can also be asked for directly (tests with a fake clock, the bench).
/// </summary>
public interface ITenantClockGrain : IGrainWithStringKey
{
    /// <summary>Remembers that a bucket has members; starts the tenant's reminder if it is not running.</summary>
    [OneWay]
    Task RegisterAsync(WheelKind kind, long bucket);

    /// <summary>Runs every registered bucket that is due now. Returns how many members were woken.</summary>
    [ResponseTimeout("00:30:00")]
    Task<int> TickAsync();

    /// <summary>Buckets with members waiting, by wheel.</summary>
    Task<IReadOnlyDictionary<WheelKind, long[]>> GetPendingAsync();
}

/// <summary>The members a profile grain wakes from a segments wheel.</summary>
public interface ISegmentWakeable
{
    /// <summary>Re-evaluates segments because time passed; <paramref name="bucket"/> is the bucket being run.</summary>
    Task ReevaluateSegmentsAsync(long bucket);
}
