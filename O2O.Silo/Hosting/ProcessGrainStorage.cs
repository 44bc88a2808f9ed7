using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Storage;

namespace O2O.Silo.Hosting;

/// <summary>
/// Grain storage in this process's memory, for a silo alone in its cluster (the embedded product and
/// the benchmarks that host it). Orleans' memory storage keeps states in grains so that several silos
/// can share them, which costs a grain call for every read and write; here every state is one
/// dictionary entry away. States are kept serialised, so a grain never shares an object with what is
/// stored, and writes check the ETag as a real store does.
/// </summary>
public sealed class ProcessGrainStorage(IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId Grain), Row> rows = new();
    private long version;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = serializer.Deserialize<T>(row.Data);
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        var written = new Row(serializer.Serialize(grainState.State), NextETag());
        var stored = grainState.ETag is null
            ? rows.TryAdd(key, written)
            : rows.TryGetValue(key, out var current) && current.ETag == grainState.ETag && rows.TryUpdate(key, written, current);
        if (!stored)
        {
            throw Conflict(key, grainState.ETag);
        }
        grainState.ETag = written.ETag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        if (rows.TryGetValue(key, out var current))
        {
            if (current.ETag != grainState.ETag || !rows.TryRemove(KeyValuePair.Create(key, current)))
            {
                throw Conflict(key, grainState.ETag);
            }
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private string NextETag() => Interlocked.Increment(ref version).ToString(CultureInfo.InvariantCulture);

    private InconsistentStateException Conflict((string StateName, GrainId Grain) key, string? expected) =>
        new($"The stored {key.StateName} state of {key.Grain} changed since it was read.",
            rows.TryGetValue(key, out var row) ? row.ETag : "none", expected ?? "none");

    private sealed record Row(BinaryData Data, string ETag);
}
