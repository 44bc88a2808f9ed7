using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Options;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Grains.Ingestion.Checkpoints;

namespace O2O.Silo.EventHubs;

/// <summary>
/// Drains the event hub into the grains as one member of the consumer group. Each owned partition has
/// its own worker that applies each key's events (one person's) in partition order through
/// <see cref="ApplyPolicy"/>, several keys' batches at once; an offset is committed only once every
/// event before it has been applied (or dead-lettered because it can never apply). A transient
/// failure holds its lane, and so the partition's offsets, until it passes; a partition whose lanes
/// fall behind is paused at the broker rather than buffered. Rebalances and shutdown commit what is
/// done and nothing more, so a crash replays at most the uncommitted tail, which the grains absorb
/// (message-id dedup in profiles, delivery ids in aggregates). With a <paramref name="checkpointer"/>
/// profiles apply in memory and a partition's offset waits for its checkpoint (<see cref="PartitionCheckpoints"/>).
/// </summary>
public sealed partial class EventHubsConsumer(
    ApplyPolicy policy,
    IngestionHealth health,
    IOptions<EventHubsOptions> options,
    TimeProvider clock,
    ILogger<EventHubsConsumer> logger,
    GrainCheckpointer? checkpointer = null) : BackgroundService
{
    public const string DeadLetterReasonHeader = "o2o-dlq-reason";
    public const string OriginalTopicHeader = "o2o-original-topic";
    public const string OriginalPartitionHeader = "o2o-original-partition";
    public const string OriginalOffsetHeader = "o2o-original-offset";

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(30);

    private readonly EventHubsOptions _options = options.Value;
    private readonly IngestionHealth _health = health;
    private readonly TimeProvider _clock = clock;
    private readonly GrainCheckpointer? _checkpointer = checkpointer;
    private readonly ConcurrentDictionary<TopicPartition, PartitionWorker> _workers = new();
    private readonly TaskCompletionSource _assigned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IProducer<string?, byte[]>? _deadLetters;
    private long _buffered;
    private volatile bool _aborted;

    /// <summary>Messages fetched and not yet applied, across owned partitions.</summary>
    public long Buffered => Interlocked.Read(ref _buffered);

    /// <summary>Completes once the group has handed this consumer its first partitions.</summary>
    public Task Assigned => _assigned.Task;

    /// <summary>
    /// Stops at once as a crashed process would: in-flight work is abandoned and no offset is
    /// committed. Another member then replays from the last commit.
    /// </summary>
    public void Abort()
    {
        _aborted = true;
        foreach (var worker in _workers.Values)
        {
            worker.Stop();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Consume blocks, so the loop gets a thread of its own rather than a pool thread.
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken ct)
    {
        var connection = _options.ParseConnection();
        var deadLetterConfig = new ProducerConfig { EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 };
        connection.ApplyTo(deadLetterConfig);
        _deadLetters = new ProducerBuilder<string?, byte[]>(deadLetterConfig)
            .SetLogHandler((_, message) => LogKafkaMessage(message.Level <= SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, message.Facility, message.Message))
            .Build();

        var config = new ConsumerConfig
        {
            GroupId = _options.ConsumerGroup,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = false,
            FetchWaitMaxMs = (int)_options.FetchWaitMax.TotalMilliseconds,
            AllowAutoCreateTopics = true,
            ClientId = $"o2o-silo-{Environment.MachineName}",
            // Cooperative: a member joining or leaving moves only the partitions that change hands,
            // and everyone else keeps applying through the rebalance.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = (int)Math.Max(1_000, _options.SessionTimeout.TotalMilliseconds / 3),
            // Static membership, where the endpoint supports it: a member restarted with the same id
            // gets its partitions back without a rebalance.
            GroupInstanceId = string.IsNullOrWhiteSpace(_options.GroupInstanceId) ? null : _options.GroupInstanceId,
        };
        connection.ApplyTo(config);
        using var consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions, commit: true))
            .SetPartitionsLostHandler((c, partitions) => OnRevoked(c, partitions, commit: false))
            .SetErrorHandler((_, error) => LogKafkaError(error.Code, error.Reason))
            .SetLogHandler((_, message) => LogKafkaMessage(message.Level <= SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, message.Facility, message.Message))
            .Build();
        consumer.Subscribe(_options.Hub);
        LogStarted(_options.Hub, _options.ConsumerGroup);

        var nextCommit = _clock.GetUtcNow() + _options.CommitInterval;
        var bufferLimit = Math.Max(10_000, _options.BatchSize * 8);
        var partitionLimit = Math.Max(2_000, _options.BatchSize * _options.LanesPerPartition * 2);
        try
        {
            while (!ct.IsCancellationRequested && !_aborted)
            {
                if (Interlocked.Read(ref _buffered) >= bufferLimit)
                {
                    // Workers are behind everywhere: hold off fetching rather than buffer without bound.
                    Thread.Sleep(1);
                }
                else if (Consume(consumer) is { Message: not null } result && _workers.TryGetValue(result.TopicPartition, out var worker))
                {
                    Interlocked.Increment(ref _buffered);
                    worker.Enqueue(result);
                    if (worker.Queued >= partitionLimit && !worker.Paused)
                    {
                        // This partition's lanes are behind (or holding a failing batch): stop fetching it.
                        Pause(consumer, worker, true);
                    }
                }
                if (_clock.GetUtcNow() >= nextCommit && !_aborted)
                {
                    foreach (var w in _workers.Values.Where(w => w.Paused && w.Queued < partitionLimit / 2))
                    {
                        Pause(consumer, w, false);
                    }
                    CheckpointAll(consumer);
                    CommitDone(consumer, _workers.Values);
                    RecordLag(consumer);
                    nextCommit = _clock.GetUtcNow() + _options.CommitInterval;
                }
            }
        }
        finally
        {
            if (_aborted)
            {
                // A crash: leave the group so the partitions move on, but commit nothing.
                TryClose(consumer);
            }
            else
            {
                StopAndWait([.. _workers.Values]);
                FinishCheckpoints(_workers.Values);
                CommitDone(consumer, _workers.Values);
                TryClose(consumer);
            }
            foreach (var tp in _workers.Keys)
            {
                ConsumerLag.Forget(tp.Topic, tp.Partition);
            }
            _deadLetters.Flush(TimeSpan.FromSeconds(10));
            _deadLetters.Dispose();
            LogStopped(_options.Hub, _aborted);
        }
    }

    private ConsumeResult<string?, byte[]>? Consume(IConsumer<string?, byte[]> consumer)
    {
        try
        {
            return consumer.Consume(TimeSpan.FromMilliseconds(100));
        }
        catch (ConsumeException ex)
        {
            // Includes a hub that does not exist yet: keep polling, it will appear.
            LogKafkaError(ex.Error.Code, ex.Error.Reason);
            return null;
        }
    }

    private void Pause(IConsumer<string?, byte[]> consumer, PartitionWorker worker, bool pause)
    {
        try
        {
            if (pause)
            {
                consumer.Pause([worker.Partition]);
            }
            else
            {
                consumer.Resume([worker.Partition]);
            }
            worker.Paused = pause;
            LogPaused(worker.Partition.Partition, pause, worker.Queued);
        }
        catch (KafkaException ex)
        {
            // The partition went away in a rebalance; its worker goes with it.
            LogKafkaError(ex.Error.Code, ex.Error.Reason);
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _health.RebalanceEnded();
        foreach (var tp in partitions)
        {
            var worker = new PartitionWorker(this, tp);
            _workers[tp] = worker;
            worker.Start();
        }
        LogAssigned(partitions.Count, string.Join(',', partitions.Select(p => p.Partition.Value)));
        _assigned.TrySetResult();
    }

    private void OnRevoked(IConsumer<string?, byte[]> consumer, List<TopicPartitionOffset> partitions, bool commit)
    {
        var leaving = partitions.Select(p => _workers.TryGetValue(p.TopicPartition, out var w) ? w : null).OfType<PartitionWorker>().ToList();
        if (_aborted)
        {
            return;
        }
        if (partitions.Count > 0)
        {
            // Cooperative rebalancing ends with an assignment (possibly of nothing) once the group settles.
            _health.RebalanceStarted();
        }
        StopAndWait(leaving);
        if (commit)
        {
            FinishCheckpoints(leaving);
            CommitDone(consumer, leaving);
        }
        foreach (var worker in leaving)
        {
            _workers.TryRemove(worker.Partition, out _);
            Interlocked.Add(ref _buffered, -worker.Queued);
            ConsumerLag.Forget(worker.Partition.Topic, worker.Partition.Partition);
        }
        LogRevoked(leaving.Count, commit);
    }

    private void StopAndWait(IReadOnlyCollection<PartitionWorker> workers)
    {
        foreach (var worker in workers)
        {
            worker.Stop();
        }
        // The batch in flight may finish (its offsets then count as done); no new batch starts.
        if (!Task.WaitAll([.. workers.Select(w => w.Completion)], StopWait))
        {
            LogStopTimedOut(workers.Count);
        }
    }

    /// <summary>Starts due checkpoints and replays a partition whose checkpoint found applied changes lost with a silo.</summary>
    private void CheckpointAll(IConsumer<string?, byte[]> consumer)
    {
        foreach (var worker in _workers.Values.ToList())
        {
            worker.Checkpoints.Tick(worker.DoneOffset, worker.CommittedOffset);
            if (worker.Checkpoints.LastFailure is { } failure)
            {
                LogCheckpointFailed(worker.Partition.Partition.Value, failure);
            }
            if (worker.Checkpoints.Lost)
            {
                Replay(consumer, worker);
            }
        }
    }

    /// <summary>
    /// Every partition's last checkpoint at once, not one after another: storage takes their writes
    /// together, and a silo leaving the group hands its partitions over sooner.
    /// </summary>
    private void FinishCheckpoints(IEnumerable<PartitionWorker> workers) =>
        Task.WaitAll([.. workers.Select(w => w.Checkpoints.FinishAsync(w.DoneOffset, w.CommittedOffset, StopWait))]);

    /// <summary>
    /// Some profile lost changes this partition applied in memory (its silo died before the checkpoint
    /// wrote them): start the partition again from its committed offset. Profiles skip what they have;
    /// the lost ones apply it again.
    /// </summary>
    private void Replay(IConsumer<string?, byte[]> consumer, PartitionWorker worker)
    {
        StopAndWait([worker]);
        var from = worker.CommittedOffset >= 0 ? worker.CommittedOffset : worker.FirstOffset;
        Interlocked.Add(ref _buffered, -worker.Queued);
        var fresh = new PartitionWorker(this, worker.Partition) { CommittedOffset = worker.CommittedOffset };
        _workers[worker.Partition] = fresh;
        fresh.Start();
        try
        {
            if (worker.Paused)
            {
                consumer.Resume([worker.Partition]);
            }
            if (from >= 0)
            {
                consumer.Seek(new TopicPartitionOffset(worker.Partition, new Offset(from)));
            }
        }
        catch (KafkaException ex)
        {
            LogKafkaError(ex.Error.Code, ex.Error.Reason);
        }
        LogReplaying(worker.Partition.Partition.Value, from);
    }

    private void CommitDone(IConsumer<string?, byte[]> consumer, IEnumerable<PartitionWorker> workers)
    {
        var offsets = workers
            .Select(w => (Worker: w, Done: w.Checkpoints.Stored))
            .Where(x => x.Done > x.Worker.CommittedOffset)
            .ToList();
        if (offsets.Count == 0)
        {
            return;
        }
        try
        {
            consumer.Commit(offsets.Select(x => new TopicPartitionOffset(x.Worker.Partition, new Offset(x.Done))));
            foreach (var (worker, done) in offsets)
            {
                worker.CommittedOffset = done;
            }
        }
        catch (KafkaException ex)
        {
            // Not fatal: the next commit carries the same offsets (they only grow).
            LogCommitFailed(ex.Error.Code, ex.Error.Reason);
        }
    }

    private void RecordLag(IConsumer<string?, byte[]> consumer)
    {
        long total = 0;
        foreach (var (tp, worker) in _workers)
        {
            Offset high;
            try
            {
                // Asked of the broker: the cached watermark stops moving while prefetching is paused.
                high = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(1)).High;
            }
            catch (KafkaException)
            {
                continue;
            }
            if (high.IsSpecial)
            {
                continue;
            }
            var next = worker.DoneOffset >= 0 ? worker.DoneOffset : worker.FirstOffset >= 0 ? worker.FirstOffset : high.Value;
            ConsumerLag.Set(tp.Topic, tp.Partition, high.Value - next);
            total += Math.Max(0, high.Value - next);
        }
        _health.RecordLag(total);
    }

    private static void TryClose(IConsumer<string?, byte[]> consumer)
    {
        try
        {
            consumer.Close();
        }
        catch (KafkaException)
        {
            // Closing is best effort; the group coordinator times the member out otherwise.
        }
    }

    private async Task ApplyBatchAsync(string lane, List<ConsumeResult<string?, byte[]>> batch, CheckpointScope? checkpoint, CancellationToken ct)
    {
        var events = new List<CustomerEvent>(batch.Count);
        var sources = new List<ConsumeResult<string?, byte[]>>(batch.Count);
        foreach (var message in batch)
        {
            if (EventJson.TryDeserialize(message.Message.Value, out var e, out var reason))
            {
                events.Add(e!);
                sources.Add(message);
            }
            else
            {
                await DeadLetterAsync(message, "unparseable", reason!, ct);
            }
        }
        foreach (var refused in await policy.ApplyAsync(lane, events, ct, checkpoint))
        {
            await DeadLetterAsync(sources[refused.Index], "rejected", $"{refused.Error.GetType().Name}: {refused.Error.Message}", ct);
        }
    }

    private async Task DeadLetterAsync(ConsumeResult<string?, byte[]> source, string kind, string reason, CancellationToken ct)
    {
        var headers = new Headers
        {
            { DeadLetterReasonHeader, Encoding.UTF8.GetBytes($"{kind}: {reason}") },
            { OriginalTopicHeader, Encoding.UTF8.GetBytes(source.Topic) },
            { OriginalPartitionHeader, Encoding.UTF8.GetBytes(source.Partition.Value.ToString(CultureInfo.InvariantCulture)) },
            { OriginalOffsetHeader, Encoding.UTF8.GetBytes(source.Offset.Value.ToString(CultureInfo.InvariantCulture)) },
        };
        if (source.Message.Headers?.TryGetLastBytes(EventJson.TraceParentHeader, out var traceParent) == true)
        {
            headers.Add(EventJson.TraceParentHeader, traceParent);
        }
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                // Awaited: the offset may only move past a poison message once the dead-letter hub holds it.
                await _deadLetters!.ProduceAsync(_options.DeadLetterHub,
                    new Message<string?, byte[]> { Key = source.Message.Key, Value = source.Message.Value ?? [], Headers = headers }, ct);
                break;
            }
            catch (ProduceException<string?, byte[]> ex)
            {
                LogDeadLetterFailed(source.Partition.Value, source.Offset.Value, ex.Error.Code);
                await Task.Delay(delay, _clock, ct);
                delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, delay.Ticks * 2));
            }
        }
        O2OTelemetry.EventsDeadLettered.Add(1, new KeyValuePair<string, object?>("reason", kind));
        LogDeadLettered(source.Topic, source.Partition.Value, source.Offset.Value, kind);
    }

    /// <summary>
    /// One owned partition. Fetched messages are spread over lanes by key, so one person's events stay
    /// in partition order while the lanes apply in parallel. The offset that may be committed is the
    /// lowest one some lane has not applied yet.
    /// </summary>
    private sealed class PartitionWorker(EventHubsConsumer owner, TopicPartition partition)
    {
        private readonly Lane[] _lanes = [.. Enumerable.Range(0, owner._options.LanesPerPartition).Select(_ => new Lane())];
        private readonly Lock _offsets = new();
        private readonly CancellationTokenSource _stop = new();
        private long _lastFetched = -1;
        private long _first = -1;
        private int _queued;

        public TopicPartition Partition { get; } = partition;

        public PartitionCheckpoints Checkpoints { get; } = new(owner._checkpointer, $"{partition.Topic}/{partition.Partition.Value}", owner._options.CheckpointInterval, owner._clock);

        /// <summary>The next offset to read after everything applied so far; -1 before anything was fetched.</summary>
        public long DoneOffset
        {
            get
            {
                lock (_offsets)
                {
                    var done = _lastFetched < 0 ? -1 : _lastFetched + 1;
                    foreach (var lane in _lanes)
                    {
                        if (lane.Pending.TryPeek(out var oldest) && oldest < done)
                        {
                            done = oldest;
                        }
                    }
                    return done;
                }
            }
        }

        public long FirstOffset => Interlocked.Read(ref _first);

        /// <summary>Touched only by the consume thread.</summary>
        public long CommittedOffset { get; set; } = -1;

        public int Queued => Volatile.Read(ref _queued);

        /// <summary>Fetching is paused at the broker; touched only by the consume thread.</summary>
        public bool Paused { get; set; }

        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Start() => Completion = Task.WhenAll(_lanes.Select(lane => Task.Run(() => RunAsync(lane))));

        public void Enqueue(ConsumeResult<string?, byte[]> message)
        {
            var lane = _lanes[message.Message.Key is { } key ? (int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_lanes.Length) : 0];
            Interlocked.CompareExchange(ref _first, message.Offset.Value, -1);
            Interlocked.Increment(ref _queued);
            lock (_offsets)
            {
                lane.Pending.Enqueue(message.Offset.Value);
                _lastFetched = message.Offset.Value;
            }
            lane.Queue.Writer.TryWrite(message);
        }

        public void Stop()
        {
            foreach (var lane in _lanes)
            {
                lane.Queue.Writer.TryComplete();
            }
            _stop.Cancel();
        }

        /// <summary>
        /// Runs a lane; when its loop faults (a bug, not a failing grain: those the policy retries), it
        /// starts again with the batch it held, so the partition never stalls behind a dead lane.
        /// </summary>
        private async Task RunAsync(Lane lane)
        {
            var ct = _stop.Token;
            var batch = new List<ConsumeResult<string?, byte[]>>(owner._options.BatchSize);
            var name = $"{Partition.Partition.Value}/{Array.IndexOf(_lanes, lane)}";
            var backoff = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                try
                {
                    await DrainAsync(lane, name, batch, ct);
                    return;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    owner.LogLaneRestarted(name, ex);
                    owner._health.Restarted(name, ex);
                    try
                    {
                        await Task.Delay(backoff, owner._clock, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    backoff = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, backoff.Ticks * 2));
                }
            }
        }

        private async Task DrainAsync(Lane lane, string name, List<ConsumeResult<string?, byte[]>> batch, CancellationToken ct)
        {
            while (batch.Count > 0 || await lane.Queue.Reader.WaitToReadAsync(ct))
            {
                while (batch.Count < owner._options.BatchSize && lane.Queue.Reader.TryRead(out var message))
                {
                    batch.Add(message);
                }
                await owner.ApplyBatchAsync(name, batch, Checkpoints.Scope, ct);
                if (owner._aborted)
                {
                    return;
                }
                lock (_offsets)
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        lane.Pending.Dequeue();
                    }
                }
                Interlocked.Add(ref _queued, -batch.Count);
                Interlocked.Add(ref owner._buffered, -batch.Count);
                batch.Clear();
            }
        }

        /// <summary>Messages of some keys, in partition order, and the offsets not yet applied.</summary>
        private sealed class Lane
        {
            public Channel<ConsumeResult<string?, byte[]>> Queue { get; } =
                Channel.CreateUnbounded<ConsumeResult<string?, byte[]>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

            public Queue<long> Pending { get; } = new();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming event hub {Hub} as group {Group}")]
    private partial void LogStarted(string hub, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped consuming event hub {Hub} (aborted: {Aborted})")]
    private partial void LogStopped(string hub, bool aborted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Count} partitions: {Partitions}")]
    private partial void LogAssigned(int count, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gave up {Count} partitions (committed: {Committed})")]
    private partial void LogRevoked(int count, bool committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} partition workers did not stop in time; their unfinished batches stay uncommitted")]
    private partial void LogStopTimedOut(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event hub client error {Code}: {Reason}")]
    private partial void LogKafkaError(ErrorCode code, string reason);

    // An offset reset (OFFSET) means messages were gone before they were applied: retention is shorter than the lag.
    [LoggerMessage(Message = "Event hub client {Facility}: {Text}")]
    private partial void LogKafkaMessage(LogLevel level, string facility, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing offsets failed ({Code}: {Reason}); will retry")]
    private partial void LogCommitFailed(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} paused: {Paused} ({Queued} messages waiting for its lanes)")]
    private partial void LogPaused(int partition, bool paused, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}/{Partition}@{Offset} ({Kind})")]
    private partial void LogDeadLettered(string topic, int partition, long offset, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing partition {Partition} offset {Offset} to the dead-letter hub failed ({Code}); retrying")]
    private partial void LogDeadLetterFailed(int partition, long offset, ErrorCode code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint of partition {Partition} failed; its offset waits and the checkpoint is retried")]
    private partial void LogCheckpointFailed(int partition, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: a profile lost changes applied in memory (its silo stopped); replaying from offset {Offset}")]
    private partial void LogReplaying(int partition, long offset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lane {Lane} faulted; restarting it with the batch it held")]
    private partial void LogLaneRestarted(string lane, Exception ex);
}
