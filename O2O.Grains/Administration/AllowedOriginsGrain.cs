namespace O2O.Grains.Administration;

/// <inheritdoc cref="IAllowedOriginsGrain"/>
public sealed class AllowedOriginsGrain(
    [PersistentState("origins", StorageNames.Stores)] IPersistentState<AllowedOriginsState> state) : Grain, IAllowedOriginsGrain
{
    public async Task SetAsync(string tenant, IReadOnlyList<string> origins)
    {
        if (origins.Count == 0)
        {
            state.State.ByTenant.Remove(tenant);
        }
        else
        {
            state.State.ByTenant[tenant] = [.. origins];
        }
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> GetAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.ByTenant.Values.SelectMany(o => o).Distinct(StringComparer.OrdinalIgnoreCase)]);
}

[GenerateSerializer, Alias("o2o.allowed-origins-state")]
public sealed class AllowedOriginsState
{
    [Id(0)] public Dictionary<string, List<string>> ByTenant { get; set; } = new(StringComparer.Ordinal);
}
