using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace O2O.Silo.Storage;

/// <summary>
/// Grain storage on Azure Table storage: one table per storage name, one partition per grain, the
/// state serialized by Orleans' grain storage serializer and laid out by <see cref="StatePayload"/>.
/// Writes are conditional on the ETag read, so a second activation or a stale writer gets an
/// <see cref="InconsistentStateException"/> instead of overwriting newer state.
/// </summary>
public sealed partial class AzureTableGrainStorage(
    string name,
    AzureTableStorageOptions options,
    IOptions<ClusterOptions> clusterOptions,
    ILogger<AzureTableGrainStorage> logger) : IGrainStorage
{
    private readonly string _serviceId = clusterOptions.Value.ServiceId;
    private readonly KeyValuePair<string, object?> _storageTag = new("storage", name);
    private readonly Lock _tableLock = new();
    private Task<TableClient>? _table;

    /// <summary>
    /// States (partition and row key) last read or written with overflow rows, so the write that
    /// replaces them knows to remove the old generation; small states, the common case, never query for them.
    /// </summary>
    private readonly ConcurrentDictionary<(string, string), bool> _overflowing = new();

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var table = await TableAsync();
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey);
        if (!found.HasValue || found.Value is not { } main)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        if (StatePayload.RowCount(main) > 1)
        {
            _overflowing[(partitionKey, rowKey)] = true;
        }
        var overflow = await Task.WhenAll(StatePayload.OverflowRows(main).Select(async key =>
            (await table.GetEntityAsync<TableEntity>(partitionKey, key)).Value));
        grainState.State = options.GrainStorageSerializer.Deserialize<T>(new BinaryData(StatePayload.Join(main, overflow)));
        grainState.ETag = main.ETag.ToString();
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var table = await TableAsync();
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        var payload = options.GrainStorageSerializer.Serialize(grainState.State);
        var generation = StatePayload.NewGeneration();
        var entities = StatePayload.ToEntities(partitionKey, rowKey, payload.ToMemory(), generation);
        var etag = grainState.ETag is { } e ? new ETag(e) : (ETag?)null;
        if (entities.Count > 1)
        {
            // The new generation's overflow rows land first, beside the current ones; readers only
            // follow them once the main row below names this generation.
            await Task.WhenAll(entities.Skip(1).Select(x => table.UpsertEntityAsync(x, TableUpdateMode.Replace)));
        }
        try
        {
            var response = etag is { } current
                ? await table.UpdateEntityAsync(entities[0], current, TableUpdateMode.Replace)
                : await table.AddEntityAsync(entities[0]);
            grainState.ETag = (response.Headers.ETag ?? throw new InvalidOperationException("Table storage returned no ETag.")).ToString();
            grainState.RecordExists = true;
            StorageTelemetry.Writes.Add(1, _storageTag);
        }
        catch (RequestFailedException ex) when (IsConflict(ex))
        {
            await DeleteOverflowAsync(table, partitionKey, rowKey, keep: null, only: generation);
            throw Conflict(grainId, grainState.ETag, ex);
        }
        if (entities.Count > 1 || _overflowing.ContainsKey((partitionKey, rowKey)))
        {
            // Rows of the generation this write replaced.
            await DeleteOverflowAsync(table, partitionKey, rowKey, keep: generation, only: null);
            if (entities.Count > 1)
            {
                _overflowing[(partitionKey, rowKey)] = true;
            }
            else
            {
                _overflowing.TryRemove((partitionKey, rowKey), out _);
            }
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is { } etag)
        {
            var table = await TableAsync();
            var (partitionKey, rowKey) = Keys(stateName, grainId);
            try
            {
                // The main row is the commit point: once it is gone the state is gone.
                await table.DeleteEntityAsync(partitionKey, rowKey, new ETag(etag));
                StorageTelemetry.Writes.Add(1, _storageTag);
            }
            catch (RequestFailedException ex) when (IsConflict(ex))
            {
                throw Conflict(grainId, etag, ex);
            }
            await DeleteOverflowAsync(table, partitionKey, rowKey, keep: null, only: null);
            _overflowing.TryRemove((partitionKey, rowKey), out _);
        }
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Deletes overflow rows of the state, except generation <paramref name="keep"/>, or only generation <paramref name="only"/>.</summary>
    private static async Task DeleteOverflowAsync(TableClient table, string partitionKey, string rowKey, string? keep, string? only)
    {
        var (from, to) = TableKeys.OverflowRange(rowKey);
        var keepPrefix = keep is null ? null : TableKeys.OverflowGeneration(rowKey, keep);
        var onlyPrefix = only is null ? null : TableKeys.OverflowGeneration(rowKey, only);
        var deletes = new List<Task>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {from} and RowKey lt {to}"),
            select: ["PartitionKey", "RowKey"]))
        {
            if ((keepPrefix is null || !row.RowKey.StartsWith(keepPrefix, StringComparison.Ordinal))
                && (onlyPrefix is null || row.RowKey.StartsWith(onlyPrefix, StringComparison.Ordinal)))
            {
                deletes.Add(table.DeleteEntityAsync(partitionKey, row.RowKey, ETag.All));
            }
        }
        await Task.WhenAll(deletes);
    }

    /// <summary>412: the ETag moved on; 409: a first write found a row; 404: the row to replace or delete is gone.</summary>
    private static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412 or 404;

    private InconsistentStateException Conflict(GrainId grainId, string? etag, RequestFailedException ex)
    {
        StorageTelemetry.Conflicts.Add(1, _storageTag);
        LogConflict(logger, name, grainId.Type.ToString()!, ex.Status);
        return new InconsistentStateException(
            $"The {name} state of a {grainId.Type} grain changed in Table storage since it was read (status {ex.Status}).",
            storedEtag: "unknown",
            currentEtag: etag ?? "none",
            ex);
    }

    private (string PartitionKey, string RowKey) Keys(string stateName, GrainId grainId) =>
        (TableKeys.Encode(string.Concat(_serviceId, "/", grainId.ToString())), TableKeys.Encode(stateName));

    /// <summary>The table, created the first time this storage name is used.</summary>
    private Task<TableClient> TableAsync()
    {
        var table = _table;
        if (table is { IsFaulted: false, IsCanceled: false })
        {
            return table;
        }
        lock (_tableLock)
        {
            if (_table is not { IsFaulted: false, IsCanceled: false })
            {
                _table = CreateTableAsync();
            }
            return _table;
        }
    }

    private async Task<TableClient> CreateTableAsync()
    {
        var service = options.TableServiceClient ?? throw new InvalidOperationException($"Grain storage '{name}' has no table service.");
        var tableName = options.TableName ?? AzureTableStorageOptions.TableNameFor(name);
        var created = await service.CreateTableIfNotExistsAsync(tableName);
        if (created.GetRawResponse().Status == 204 || created.GetRawResponse().Status == 201)
        {
            LogTableCreated(logger, tableName, name);
        }
        return service.GetTableClient(tableName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Table {Table} is ready for grain storage {Storage}")]
    private static partial void LogTableCreated(ILogger logger, string table, string storage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Storage} refused a stale write of a {GrainType} grain (status {Status})")]
    private static partial void LogConflict(ILogger logger, string storage, string grainType, int status);
}
