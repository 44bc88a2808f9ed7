using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace O2O.Silo.Hosting;

/// <summary>
/// Grain states in Azure Table storage, with writes that arrive together sent together. Table storage
/// bills a request, and an entity group transaction of up to 100 rows is one request; its rows must
/// share a partition. Orleans' provider gives every grain a partition of its own, so it can only send
/// one row per request: a checkpoint that writes 10,000 profiles cost 10,000 requests.
/// <para>
/// Here a row's partition is one of <see cref="Buckets"/> per service, picked by a hash of its key, and
/// each bucket sends one request at a time: the first write into an idle bucket goes at once, alone;
/// writes that arrive while a request is in flight wait for it and then go out together, up to 100
/// (group commit). A lone write waits for nothing; a burst costs a request per hundred rows. Every row
/// keeps its own ETag check inside the transaction; when one fails, the transaction stored nothing, and
/// its rows go again one by one, so each caller hears its own outcome.
/// </para>
/// <para>
/// Rows Orleans' provider wrote (the layout before this one) are still read. The first time a state is
/// not found, the storage asks whether its table holds any such rows for the service; if it does, a state
/// not found here is looked up there, written here on its next write, and its old row deleted. Clearing
/// a state deletes both.
/// </para>
/// </summary>
public sealed partial class BatchedTableStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>
    /// Partitions per service and table. Never change it on a deployment: a row's partition is derived
    /// from it, and rows written under another count would no longer be found. 32 partitions at Table
    /// storage's target of 2,000 rows/s each are more than an account's 20,000.
    /// </summary>
    public const int Buckets = 32;

    /// <summary>An entity group transaction holds at most 100 operations and 4 MiB.</summary>
    private const int MaxRows = 100;
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    // A property holds 64 KiB and a row 1 MiB: 15 properties, as Orleans' provider splits them.
    private const int ChunkBytes = 64 * 1024;
    private const int MaxChunks = 15;
    private const string DataProperty = "Data";

    /// <summary>Marks the ETag of a state read from the layout before this one.</summary>
    private const string LegacyETag = "legacy:";

    private readonly TableClient _table;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IGrainStorage _legacy;
    private readonly string _partitionPrefix;
    private readonly string _legacyFrom;
    private readonly string _legacyTo;
    private readonly Bucket[] _buckets = [.. Enumerable.Range(0, Buckets).Select(_ => new Bucket())];
    private readonly KeyValuePair<string, object?> _storageTag;
    private readonly ILogger _logger;
    private Task<bool>? _legacyRows;

    public BatchedTableStorage(TableClient table, string serviceId, IGrainStorageSerializer serializer, IGrainStorage legacy, ILogger<BatchedTableStorage> logger)
    {
        _table = table;
        _serializer = serializer;
        _legacy = legacy;
        _logger = logger;
        _partitionPrefix = TableKeyEscaping.EscapeKey(serviceId) + "~";
        // Orleans' provider keys a grain's row "<service id>_<grain id>".
        _legacyFrom = serviceId + "_";
        _legacyTo = serviceId + "`";
        _storageTag = new("storage", table.Name);
    }

    /// <summary>Orleans' provider on the same table, which reads and deletes rows of the layout before.</summary>
    internal IGrainStorage Legacy => _legacy;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (partition, row, _) = Keys(stateName, grainId);
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(partition, row);
        if (found.HasValue && found.Value is { } entity)
        {
            grainState.State = _serializer.Deserialize<T>(Data(entity));
            grainState.ETag = entity.ETag.ToString();
            grainState.RecordExists = true;
            return;
        }
        if (await HasLegacyRowsAsync())
        {
            await _legacy.ReadStateAsync(stateName, grainId, grainState);
            if (grainState.RecordExists)
            {
                grainState.ETag = LegacyETag + grainState.ETag;
                return;
            }
        }
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (partition, row, bucket) = Keys(stateName, grainId);
        var entity = Entity(partition, row, _serializer.Serialize(grainState.State), out var size);
        var legacyETag = LegacyOf(grainState.ETag);
        var action = grainState.ETag is null || legacyETag is not null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(grainState.ETag));
        grainState.ETag = await SubmitAsync(bucket, action, size, stateName, grainId, grainState.ETag);
        grainState.RecordExists = true;
        if (legacyETag is not null)
        {
            try
            {
                await DeleteLegacyAsync(stateName, grainId, grainState, legacyETag);
            }
            catch (Exception ex)
            {
                // The state is stored, and the row here is read first: the old copy only waits for a
                // clear, which deletes it.
                LogLegacyRowKept(_table.Name, ex);
            }
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var legacyETag = LegacyOf(grainState.ETag);
        if (grainState.ETag is not null && legacyETag is null)
        {
            var (partition, row, bucket) = Keys(stateName, grainId);
            await SubmitAsync(bucket, new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, row), new ETag(grainState.ETag)), 0, stateName, grainId, grainState.ETag);
        }
        // A row of the layout before is deleted too: a copy left there by a migration cut short would
        // otherwise come back when this one is gone (an erased person, restored).
        if (legacyETag is not null || await HasLegacyRowsAsync())
        {
            await DeleteLegacyAsync(stateName, grainId, grainState, legacyETag);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Orleans' provider beneath starts on the same table, and creates it when it is missing.</summary>
    public void Participate(ISiloLifecycle observer) => (_legacy as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);

    /// <summary>The partition, row key and bucket of a grain's state.</summary>
    internal (string Partition, string Row, int Bucket) Keys(string stateName, GrainId grainId)
    {
        var row = RowKey(stateName, grainId);
        var bucket = (int)(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(row.AsSpan())) % Buckets);
        return (_partitionPrefix + bucket.ToString("D2", CultureInfo.InvariantCulture), row, bucket);
    }

    /// <summary>The row key of a grain's state: its id and the state's name, escaped as <see cref="TableKeyEscaping"/> does.</summary>
    public static string RowKey(string stateName, GrainId grainId) =>
        TableKeyEscaping.EscapeKey(grainId.ToString()) + "_" + TableKeyEscaping.EscapeKey(stateName);

    private static string? LegacyOf(string? etag) =>
        etag is not null && etag.StartsWith(LegacyETag, StringComparison.Ordinal) ? etag[LegacyETag.Length..] : null;

    private async Task DeleteLegacyAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, string? legacyETag)
    {
        var old = new GrainState<T> { State = grainState.State, ETag = legacyETag };
        if (legacyETag is null)
        {
            await _legacy.ReadStateAsync(stateName, grainId, old);
            if (!old.RecordExists)
            {
                return;
            }
        }
        await _legacy.ClearStateAsync(stateName, grainId, old);
    }

    /// <summary>Whether the table holds rows of this service in the layout before; asked once, again after a failure.</summary>
    private async Task<bool> HasLegacyRowsAsync()
    {
        var asking = _legacyRows ??= FindLegacyRowsAsync();
        try
        {
            return await asking;
        }
        catch
        {
            _legacyRows = null;
            throw;
        }
    }

    private async Task<bool> FindLegacyRowsAsync()
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {_legacyFrom} and PartitionKey lt {_legacyTo}");
        await foreach (var _ in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"]))
        {
            LogLegacyRows(_table.Name);
            return true;
        }
        return false;
    }

    private static TableEntity Entity(string partition, string row, BinaryData data, out int size)
    {
        var bytes = data.ToMemory();
        if (bytes.Length > ChunkBytes * MaxChunks)
        {
            throw new ArgumentOutOfRangeException(nameof(data), bytes.Length, $"A state of {bytes.Length:N0} bytes does not fit a Table row ({ChunkBytes * MaxChunks:N0} at most).");
        }
        var entity = new TableEntity(partition, row);
        for (var (offset, chunk) = (0, 0); offset < bytes.Length || chunk == 0; offset += ChunkBytes, chunk++)
        {
            entity[chunk == 0 ? DataProperty : DataProperty + chunk.ToString(CultureInfo.InvariantCulture)] =
                bytes.Slice(offset, Math.Min(ChunkBytes, bytes.Length - offset)).ToArray();
        }
        // Base64 on the wire, plus the keys and the transaction's own framing.
        size = bytes.Length * 4 / 3 + (partition.Length + row.Length) * 2 + 512;
        return entity;
    }

    private static BinaryData Data(TableEntity entity)
    {
        var first = entity.GetBinary(DataProperty) ?? [];
        if (!entity.ContainsKey(DataProperty + "1"))
        {
            return BinaryData.FromBytes(first);
        }
        var chunks = new List<byte[]> { first };
        for (var chunk = 1; chunk < MaxChunks && entity.GetBinary(DataProperty + chunk.ToString(CultureInfo.InvariantCulture)) is { } more; chunk++)
        {
            chunks.Add(more);
        }
        return BinaryData.FromBytes(chunks.SelectMany(c => c).ToArray());
    }

    /// <summary>Queues one row operation in its bucket; completes with the row's new ETag (null for a delete) once stored.</summary>
    private async Task<string?> SubmitAsync(int index, TableTransactionAction action, int size, string stateName, GrainId grainId, string? expected)
    {
        var pending = new Pending(action, size);
        var bucket = _buckets[index];
        bool start;
        lock (bucket.Gate)
        {
            bucket.Waiting.Add(pending);
            start = !bucket.Sending;
            bucket.Sending = true;
        }
        if (start)
        {
            // Off the grain's scheduler, and without the first writer's context (its trace, Orleans'
            // request context): the bucket's requests serve every grain that waits in it. Unlike
            // ExecutionContext.SuppressFlow, this cannot throw when the caller's flow is already suppressed.
            ThreadPool.UnsafeQueueUserWorkItem(b => _ = SendAllAsync(b), bucket, preferLocal: false);
        }
        try
        {
            return await pending.Done.Task;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            throw new InconsistentStateException($"The stored {stateName} state of {grainId} changed since it was read.", ex.ErrorCode ?? ex.Status.ToString(CultureInfo.InvariantCulture), expected ?? "none", ex);
        }
    }

    private async Task SendAllAsync(Bucket bucket)
    {
        while (true)
        {
            List<Pending> batch;
            lock (bucket.Gate)
            {
                if (bucket.Waiting.Count == 0)
                {
                    bucket.Sending = false;
                    return;
                }
                batch = Take(bucket.Waiting);
            }
            await SendAsync(batch);
        }
    }

    /// <summary>The oldest waiting operations that fit one transaction: up to 100, within its size, one per row.</summary>
    private static List<Pending> Take(List<Pending> waiting)
    {
        var batch = new List<Pending>(Math.Min(waiting.Count, MaxRows));
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var bytes = 0;
        foreach (var pending in waiting)
        {
            if (batch.Count == MaxRows || (batch.Count > 0 && bytes + pending.Size > MaxTransactionBytes))
            {
                break;
            }
            if (!rows.Add(pending.Action.Entity.RowKey))
            {
                // A row twice in one transaction is refused: the second waits for the next one.
                break;
            }
            batch.Add(pending);
            bytes += pending.Size;
        }
        waiting.RemoveRange(0, batch.Count);
        return batch;
    }

    private async Task SendAsync(List<Pending> batch)
    {
        if (batch.Count == 1)
        {
            await SendOneAsync(batch[0]);
            return;
        }
        try
        {
            var responses = (await _table.SubmitTransactionAsync(batch.Select(p => p.Action))).Value;
            StorageTelemetry.Writes.Add(batch.Count, _storageTag);
            StorageTelemetry.WriteRequests.Add(1, _storageTag);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(ETagOf(responses[i]));
            }
        }
        catch (TableTransactionFailedException ex)
        {
            // One row's check failed (or its row was refused), so the transaction stored nothing: each
            // row goes again on its own and hears its own answer.
            LogTransactionFailed(_table.Name, batch.Count, ex.FailedTransactionActionIndex, ex.Status);
            await Task.WhenAll(batch.Select(SendOneAsync));
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    private async Task SendOneAsync(Pending pending)
    {
        var (type, entity, etag) = (pending.Action.ActionType, pending.Action.Entity, pending.Action.ETag);
        try
        {
            Response response = type switch
            {
                TableTransactionActionType.Add => await _table.AddEntityAsync(entity),
                TableTransactionActionType.UpdateReplace => await _table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace),
                _ => await DeleteAsync(entity, etag),
            };
            pending.Done.TrySetResult(ETagOf(response));
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex);
        }
    }

    /// <summary>Deletes a row; one already gone is deleted.</summary>
    private async Task<Response> DeleteAsync(ITableEntity entity, ETag etag)
    {
        try
        {
            return await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, etag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return ex.GetRawResponse()!;
        }
    }

    private static string? ETagOf(Response response) => response.Headers.ETag?.ToString();

    [LoggerMessage(Level = LogLevel.Information, Message = "Table {Table} holds rows in the layout before batched writes: states not found are looked up there and moved on their next write")]
    private partial void LogLegacyRows(string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A state of table {Table} moved to the new layout, but its old row could not be deleted; a clear will delete it")]
    private partial void LogLegacyRowKept(string table, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "A transaction of {Rows} rows in table {Table} was refused at row {Index} (status {Status}); its rows go again one by one")]
    private partial void LogTransactionFailed(string table, int rows, int? index, int status);

    private sealed class Bucket
    {
        public readonly Lock Gate = new();
        public readonly List<Pending> Waiting = [];
        public bool Sending;
    }

    private sealed class Pending(TableTransactionAction action, int size)
    {
        public TableTransactionAction Action { get; } = action;
        public int Size { get; } = size;
        public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public static class BatchedTableStorageExtensions
{
    /// <summary>
    /// Puts every grain storage on Table storage behind <see cref="BatchedTableStorage"/>, on the table and
    /// client its section names; Orleans' provider (keys escaped) stays beneath it to read the layout before.
    /// </summary>
    public static IServiceCollection BatchTableWrites(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var name in configuration.TableStorageNames())
        {
            var section = configuration.GetSection($"Orleans:GrainStorage:{name}");
            var (serviceKey, tableName) = (section["ServiceKey"], section["TableName"]);
            if (string.IsNullOrEmpty(serviceKey) || string.IsNullOrEmpty(configuration.GetConnectionString(serviceKey)))
            {
                throw new InvalidOperationException($"Grain storage '{name}' is on Table storage without a ServiceKey naming a connection string (ConnectionStrings:<key>).");
            }
            // Orleans' provider only reads and deletes rows of the layout before: cleared, such a row
            // goes, rather than staying behind empty.
            services.PostConfigure<AzureTableStorageOptions>(name, o => o.DeleteStateOnClear = true);
            services.WrapGrainStorage(name, (provider, legacy) => new BatchedTableStorage(
                provider.GetRequiredKeyedService<TableServiceClient>(serviceKey).GetTableClient(tableName),
                provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                provider.GetRequiredService<IGrainStorageSerializer>(),
                legacy,
                provider.GetRequiredService<ILogger<BatchedTableStorage>>()));
        }
        return services;
    }
}
