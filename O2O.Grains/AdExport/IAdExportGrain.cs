namespace O2O.Grains.AdExport;

/// <summary>
/// A prepared ad-platform export: the period and the people it covers, fixed when a marketer prepares
/// it. Key: <c>{tenant}/{exportId}</c>. It lists profile ids only; every download asks each person's
/// consent again, so a withdrawal after preparing takes the person out of the file at once.
/// </summary>
public interface IAdExportGrain : IGrainWithStringKey
{
    Task PrepareAsync(PreparedExport export);

    /// <summary>The prepared export, or null when there is none under this id.</summary>
    Task<PreparedExport?> GetAsync();
}

[GenerateSerializer, Immutable, Alias("o2o.prepared-export")]
public sealed record PreparedExport(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To,
    [property: Id(2)] IReadOnlyList<string> ProfileIds,
    [property: Id(3)] DateTimeOffset PreparedAt);

[GenerateSerializer, Alias("o2o.ad-export-state")]
public sealed class AdExportState
{
    [Id(0)] public PreparedExport? Export { get; set; }
}

/// <inheritdoc cref="IAdExportGrain"/>
public sealed class AdExportGrain(
    [PersistentState("ad-export", StorageNames.Campaigns)] IPersistentState<AdExportState> state) : Grain, IAdExportGrain
{
    public async Task PrepareAsync(PreparedExport export)
    {
        state.State.Export = export;
        await state.WriteStateAsync();
    }

    public Task<PreparedExport?> GetAsync() => Task.FromResult(state.State.Export);
}
