namespace O2O.Grains;

/// <summary>
/// Writes the state of a reentrant grain one write at a time. Storage checks every write against
/// the ETag the previous one returned, so two writes in flight at once (two interleaved calls each
/// writing) make the second fail with an ETag conflict even though nothing else touched the row.
/// A write asked for while another is in flight waits for it, then goes out once for every caller
/// that asked meanwhile; each caller's change is in memory before its write starts, so it is stored
/// when the caller's task completes.
/// </summary>
public sealed class SerialWriter(Func<Task> write)
{
    private Task? _writing;
    private TaskCompletionSource? _next;

    public Task WriteAsync()
    {
        if (_next is { } next)
        {
            return next.Task;
        }
        if (_writing is { IsCompleted: false } writing)
        {
            _next = next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = WriteAfterAsync(writing, next);
            return next.Task;
        }
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
        _next = null;
        try
        {
            await (_writing = write());
            next.SetResult();
        }
        catch (Exception ex)
        {
            next.SetException(ex);
        }
    }
}
