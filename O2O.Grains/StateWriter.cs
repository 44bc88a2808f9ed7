using Microsoft.Extensions.Options;

namespace O2O.Grains;

/// <summary>When grains write their state (section <c>O2O:Storage</c>).</summary>
public sealed class StateWriteOptions
{
    public const string Section = "O2O:Storage";

    /// <summary>
    /// Storage names whose grains write only when an activation ends. Meant for in-memory storage,
    /// which the process takes with it anyway: writing it on every change would copy each state per
    /// event and buy nothing. The silo lists every storage name it keeps in memory.
    /// </summary>
    public HashSet<string> WriteOnDeactivation { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Writes one grain's state as its storage deserves: before the grain answers when the storage is
/// durable, so what a feed acknowledges is stored; when the activation ends when it is in memory.
/// A grain creates one beside its <see cref="IPersistentState{TState}"/> and calls
/// <see cref="DeactivatingAsync"/> from <c>OnDeactivateAsync</c>.
/// </summary>
public sealed class StateWriter<T>(IPersistentState<T> state, string storageName, IOptions<StateWriteOptions> options)
{
    private readonly bool _deferred = options.Value.WriteOnDeactivation.Contains(storageName);
    private bool _unsaved;
    private IGrainTimer? _pending;

    public Task WriteAsync()
    {
        _pending?.Dispose();
        _pending = null;
        if (_deferred)
        {
            _unsaved = true;
            return Task.CompletedTask;
        }
        _unsaved = false;
        return state.WriteStateAsync();
    }

    /// <summary>
    /// Writes the state, or deletes its row when it holds nothing worth keeping (durable storage only: a
    /// deferred state goes with the process anyway). Changes made while the delete runs land in this
    /// same state object, and the grain's next write stores them.
    /// </summary>
    public async Task WriteOrDeleteAsync(bool holdsNothing)
    {
        if (!holdsNothing || _deferred)
        {
            await WriteAsync();
            return;
        }
        if (!state.RecordExists)
        {
            return;
        }
        var kept = state.State;
        await state.ClearStateAsync();
        state.State = kept;
    }

    /// <summary>Drops the write <see cref="WriteSoon"/> planned: the grain found nothing of this state to store.</summary>
    public void CancelSoon()
    {
        _pending?.Dispose();
        _pending = null;
    }

    /// <summary>
    /// The change needs no write of its own: it goes out with the grain's next write, or when the
    /// activation ends. For changes that may be lost in a crash without harm.
    /// </summary>
    public void WriteWithNext() => _unsaved = true;

    /// <summary>
    /// Writes now; when that fails, drops the activation so the caller's retry starts from what is
    /// stored. An aggregate must: it has already recorded the delivery as applied in memory, and a
    /// retry answered "seen before" from memory would never reach storage.
    /// </summary>
    public async Task WriteOrReloadAsync(IGrainBase grain)
    {
        try
        {
            await WriteAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// Writes within <paramref name="delay"/>, so every change made meanwhile goes out in one write:
    /// for state the event stream changes faster than it is worth storing. <paramref name="write"/>
    /// replaces <see cref="WriteAsync"/> when the grain handles a failed write itself.
    /// </summary>
    public void WriteSoon(IGrainBase grain, TimeSpan delay, Func<Task>? write = null)
    {
        if (_deferred)
        {
            _unsaved = true;
            return;
        }
        _pending ??= grain.RegisterGrainTimer(_ => (write ?? WriteAsync)(), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    /// <summary>
    /// Writes what is waiting for <see cref="WriteSoon"/>, and what was deferred. A silo shutting down
    /// takes in-memory storage with it, so then there is nothing deferred to write.
    /// </summary>
    public async Task DeactivatingAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_pending is not null)
        {
            await WriteAsync();
        }
        if (_unsaved && (!_deferred || reason.ReasonCode != DeactivationReasonCode.ShuttingDown))
        {
            await state.WriteStateAsync(cancellationToken);
            _unsaved = false;
        }
    }
}
