namespace O2O.Grains;

/// <summary>
/// Writes the state of a reentrant grain one write at a time, and lets concurrent callers share a
/// write (group commit). Storage checks every write against the ETag the previous one returned, so
/// two writes in flight at once (two interleaved calls each writing) make the second fail with an
/// ETag conflict even though nothing else touched the row.
/// A write asked for while another is in flight waits for it, then goes out once for every caller
/// that asked meanwhile; each caller's change is in memory before its write starts, so it is stored
/// when the caller's task completes.
/// </summary>
/// <remarks>
/// With a <paramref name="spacing"/>, writes start at least that far apart: a write asked for sooner
/// after the last one started waits out the rest of the spacing, and everyone who asks meanwhile
/// joins it. A grain written now and then writes at once; one asked to write by every batch of a
/// busy feed writes a few times a second, whatever the number of batches. The spacing is wall time
/// (<see cref="TimeProvider.System"/> unless given), not the domain's clock: it paces storage, and a
/// test's fake clock would never let a write out.
/// </remarks>
public sealed class SerialWriter(Func<Task> write, TimeSpan spacing = default, TimeProvider? wallClock = null)
{
    private readonly TimeProvider _wall = wallClock ?? TimeProvider.System;
    private Task? _writing;
    private TaskCompletionSource? _next;
    private long _lastStart;

    public Task WriteAsync()
    {
        if (_next is { } next)
        {
            return next.Task;
        }
        if (_writing is { IsCompleted: false } || Wait() > TimeSpan.Zero)
        {
            _next = next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = WriteAfterAsync(_writing ?? Task.CompletedTask, next);
            return next.Task;
        }
        return Start();
    }

    private TimeSpan Wait() => spacing <= TimeSpan.Zero || _lastStart == 0 ? TimeSpan.Zero : spacing - _wall.GetElapsedTime(_lastStart);

    private Task Start()
    {
        _lastStart = _wall.GetTimestamp();
        return _writing = write();
    }

    private async Task WriteAfterAsync(Task previous, TaskCompletionSource next)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // The earlier write's callers hear how it went; this one goes out regardless.
        }
        if (Wait() is var wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _wall);
        }
        _next = null;
        try
        {
            await Start();
            next.SetResult();
        }
        catch (Exception ex)
        {
            next.SetException(ex);
        }
    }
}
