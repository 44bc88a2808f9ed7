namespace O2O.Grains.Diagnostics;

/// <summary>
/// Lets a process without storage of its own (the Api as a cluster client) ask whether the silos
/// can read grain storage: it reads one small record of the profiles' storage. Key: 0.
/// </summary>
public interface IStorageProbeGrain : IGrainWithIntegerKey
{
    /// <summary>Reads the probe record from storage; throws when storage does not answer.</summary>
    Task ProbeAsync();
}

[GenerateSerializer, Alias("o2o.storage-probe-state")]
public sealed class StorageProbeState
{
    [Id(0)] public int Version { get; set; } = 1;
}

/// <inheritdoc cref="IStorageProbeGrain"/>
public sealed class StorageProbeGrain(
    [PersistentState("probe", StorageNames.Profiles)] IPersistentState<StorageProbeState> state) : Grain, IStorageProbeGrain
{
    public Task ProbeAsync() => state.ReadStateAsync();
}
