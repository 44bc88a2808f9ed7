using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Stores;
using Orleans.Concurrency;

namespace O2O.Grains.Segments;

[GenerateSerializer, Alias("o2o.tenant-clock-state")]
public sealed class TenantClockState
{
    /// <summary>Buckets with members, by wheel kind, ascending.</summary>
    [Id(0)] public Dictionary<WheelKind, List<long>> Pending { get; set; } = [];
}

/// <inheritdoc cref="ITenantClockGrain"/>
/// <remarks>
/// Reentrant: while a tick runs a bucket, the people it wakes register their next due time in
/// other buckets, and that must not wait for the tick to finish.
/// </remarks>
[Reentrant]
public sealed class TenantClockGrain(
    [PersistentState("tenant-clock", StorageNames.Campaigns)] IPersistentState<TenantClockState> state,
    IOptions<SegmentOptions> segmentOptions,
    IOptions<StoreOptions> storeOptions,
    TimeProvider clock,
    ILogger<TenantClockGrain> logger) : Grain, ITenantClockGrain, IRemindable
{
    private const string ReminderName = "due-wheels";
    private readonly TimeSpan _offset = storeOptions.Value.UtcOffset;
    // Reentrant calls must not write the state at the same time (the second write would fail its ETag check).
    private readonly SemaphoreSlim _writing = new(1, 1);
    private bool _reminding;
    private Task<int>? _tick;

    public async Task RegisterAsync(WheelKind kind, long bucket)
    {
        if (!state.State.Pending.TryGetValue(kind, out var list))
        {
            state.State.Pending[kind] = list = [];
        }
        var at = list.BinarySearch(bucket);
        if (at < 0)
        {
            list.Insert(~at, bucket);
            await SaveAsync();
        }
        if (!_reminding)
        {
            // The bucket is stored: if the reminder service is still starting, the next registration starts it.
            var period = segmentOptions.Value.TickPeriod;
            _reminding = await this.TryStartAsync(ReminderName, period, period, logger);
        }
    }

    public Task<int> TickAsync()
    {
        // One tick at a time: a reminder firing during a requested tick joins it.
        if (_tick is { IsCompleted: false } running)
        {
            return running;
        }
        return _tick = RunDueAsync();
    }

    private async Task<int> RunDueAsync()
    {
        var woken = 0;
        var now = clock.GetUtcNow();
        foreach (var kind in new[] { WheelKind.Segments, WheelKind.Journeys })
        {
            if (!state.State.Pending.TryGetValue(kind, out var list))
            {
                continue;
            }
            var current = DueWheel.CurrentBucket(kind, now, _offset);
            while (list.Count > 0 && list[0] <= current)
            {
                // Forgotten only once run: a silo lost mid-run leaves the bucket for the next tick.
                var bucket = list[0];
                var run = await GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(this.GetPrimaryKeyString(), kind, bucket)).RunAsync();
                woken += run.Woken;
                if (run.Left > 0)
                {
                    break;
                }
                list.Remove(bucket);
                await SaveAsync();
            }
        }
        return woken;
    }

    public Task<IReadOnlyDictionary<WheelKind, long[]>> GetPendingAsync() =>
        Task.FromResult<IReadOnlyDictionary<WheelKind, long[]>>(state.State.Pending.ToDictionary(p => p.Key, p => p.Value.ToArray()));

    private async Task SaveAsync()
    {
        await _writing.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writing.Release();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => TickAsync();
}
