using O2O.Grains.Ingestion.Checkpoints;

namespace O2O.Silo.EventHubs;

/// <summary>
/// When one owned partition's offset may be committed. Written through (<c>CheckpointInterval</c> zero,
/// or no checkpointer): as soon as every event before it was applied, since each batch was written
/// before it counted as applied. Checkpointed (the default): profiles apply in memory, and the offset
/// moves only when a checkpoint has had every profile touched before it write and deliver what it
/// owes, at most once per <c>CheckpointInterval</c> and when the partition is given up or the silo stops.
/// Touched only by the consume thread, and by <see cref="FinishAsync"/> while that thread waits for it.
/// </summary>
internal sealed class PartitionCheckpoints(GrainCheckpointer? checkpointer, string source, TimeSpan interval, TimeProvider clock)
{
    private readonly GrainCheckpointer? _checkpointer = interval > TimeSpan.Zero ? checkpointer : null;
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private Task<CheckpointOutcome>? _running;
    private long _runningWatermark;
    private DateTimeOffset _next = clock.GetUtcNow() + interval;

    /// <summary>What the partition's applied batches touched; null when batches are written through.</summary>
    public CheckpointScope? Scope { get; } = interval > TimeSpan.Zero && checkpointer is not null ? new CheckpointScope() : null;

    /// <summary>The highest offset every grain has durably written (and delivered) everything before; -1 before the first.</summary>
    public long Stored { get; private set; } = -1;

    /// <summary>A checkpoint found a profile activation gone without writing: the partition must replay from its committed offset.</summary>
    public bool Lost { get; private set; }

    /// <summary>The last checkpoint that failed (a storage outage, a silo): retried at the next tick.</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Called every commit tick with what the lanes have applied and what is committed.</summary>
    public void Tick(long done, long committed)
    {
        if (_checkpointer is null)
        {
            Stored = done;
            return;
        }
        Collect();
        if (_running is null && !Lost && clock.GetUtcNow() >= _next && done > Math.Max(Stored, committed))
        {
            Start(done, committed);
        }
    }

    /// <summary>
    /// The partition is being given up or the silo stops (its lanes already stopped): waits for the
    /// running checkpoint and takes one more of everything applied. Returns at once to the consume
    /// thread, which starts every partition's last checkpoint before it waits for them all.
    /// </summary>
    public async Task FinishAsync(long done, long committed, TimeSpan wait)
    {
        if (_checkpointer is null)
        {
            Stored = done;
            return;
        }
        if (_running is not null && !await FinishedWithinAsync(_running, wait))
        {
            return;
        }
        Collect();
        if (!Lost && done > Math.Max(Stored, committed))
        {
            Start(done, committed);
            if (await FinishedWithinAsync(_running!, wait))
            {
                Collect();
            }
        }
    }

    private void Start(long done, long committed)
    {
        _runningWatermark = done;
        _running = _checkpointer!.CheckpointAsync(Scope!, source, done, committed);
        _next = clock.GetUtcNow() + interval;
    }

    private void Collect()
    {
        if (_running is not { IsCompleted: true } finished)
        {
            return;
        }
        _running = null;
        if (finished.IsCompletedSuccessfully)
        {
            LastFailure = null;
            if (finished.Result == CheckpointOutcome.Stored)
            {
                Stored = Math.Max(Stored, _runningWatermark);
            }
            else
            {
                Lost = true;
            }
        }
        else
        {
            LastFailure = finished.Exception?.GetBaseException();
            // Try again soon rather than a whole interval later (the offset waits meanwhile), but not at
            // once: storage that timed out needs room more than another burst.
            _next = clock.GetUtcNow() + TimeSpan.FromTicks(Math.Min(interval.Ticks, RetryAfterFailure.Ticks));
        }
    }

    /// <summary>Whether the checkpoint ended (stored, lost or failed: <see cref="Collect"/> tells which) within the wait.</summary>
    private static async Task<bool> FinishedWithinAsync(Task task, TimeSpan wait)
    {
        await task.WaitAsync(wait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return task.IsCompleted;
    }
}
