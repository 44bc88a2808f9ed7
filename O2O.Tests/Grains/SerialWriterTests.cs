using O2O.Grains;

namespace O2O.Tests.Grains;

/// <summary>
/// A reentrant grain's writes go out one at a time (storage refuses a write made with the ETag an
/// overlapping write has just replaced), and each caller's change is in a write that started after it.
/// </summary>
public sealed class SerialWriterTests
{
    [Fact]
    public async Task WritesAskedForDuringAWriteWaitForItAndGoOutOnceTogether()
    {
        var storage = new SlowStorage();
        var writer = new SerialWriter(storage.WriteAsync);

        var first = writer.WriteAsync();
        var second = writer.WriteAsync();
        var third = writer.WriteAsync();

        storage.Started.ShouldBe(1, "the second and third wait for the first write");
        second.IsCompleted.ShouldBeFalse();
        storage.Finish();
        await first;
        await storage.WaitForStartAsync(2);
        storage.Finish();
        await Task.WhenAll(second, third);

        storage.Started.ShouldBe(2, "the two waiting callers share one write");
        storage.MostAtOnce.ShouldBe(1);
    }

    [Fact]
    public async Task AFailedWriteFailsItsOwnCallersOnlyAndTheNextWriteStillGoesOut()
    {
        var storage = new SlowStorage();
        var writer = new SerialWriter(storage.WriteAsync);

        var failing = writer.WriteAsync();
        var next = writer.WriteAsync();
        storage.Fail(new TimeoutException("storage did not answer"));
        await Should.ThrowAsync<TimeoutException>(failing);
        await storage.WaitForStartAsync(2);
        storage.Finish();
        await next;

        storage.MostAtOnce.ShouldBe(1);
    }

    [Fact]
    public async Task WithASpacingAWriteAskedForSoonAfterTheLastWaitsOutTheSpacingAndLaterCallersShareIt()
    {
        var storage = new SlowStorage();
        var wall = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var writer = new SerialWriter(storage.WriteAsync, TimeSpan.FromMilliseconds(200), wall);

        var first = writer.WriteAsync();
        storage.Finish();
        await first;
        var second = writer.WriteAsync();
        var third = writer.WriteAsync();
        await Task.Delay(50);

        storage.Started.ShouldBe(1, "the previous write started less than the spacing ago");
        second.IsCompleted.ShouldBeFalse("a caller returns only once a write holding its change is stored");
        wall.Advance(TimeSpan.FromMilliseconds(200));
        await storage.WaitForStartAsync(2);
        storage.Finish();
        await Task.WhenAll(second, third);

        storage.Started.ShouldBe(2, "the two callers share the spaced write");
        wall.Advance(TimeSpan.FromSeconds(1));
        var later = writer.WriteAsync();
        storage.Started.ShouldBe(3, "past the spacing a write goes out at once");
        storage.Finish();
        await later;
    }

    /// <summary>A store whose writes end when the test says so, counting how many ran at once.</summary>
    private sealed class SlowStorage
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource? _current;
        private int _running;

        public int Started { get; private set; }

        public int MostAtOnce { get; private set; }

        public Task WriteAsync()
        {
            lock (_lock)
            {
                Started++;
                _running++;
                MostAtOnce = Math.Max(MostAtOnce, _running);
                _current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _current.Task;
            }
        }

        public void Finish() => End(c => c.SetResult());

        public void Fail(Exception error) => End(c => c.SetException(error));

        public async Task WaitForStartAsync(int writes)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Started < writes)
            {
                await Task.Delay(10, cts.Token);
            }
        }

        private void End(Action<TaskCompletionSource> end)
        {
            TaskCompletionSource current;
            lock (_lock)
            {
                current = _current!;
                _running--;
            }
            end(current);
        }
    }
}
