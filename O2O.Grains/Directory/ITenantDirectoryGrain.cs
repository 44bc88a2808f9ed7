namespace O2O.Grains.Directory;

/// <summary>
/// The stores and campaigns one tenant has seen, so reports can list them without scanning.
/// Key: the tenant id.
/// </summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    Task AddStoreAsync(string storeId);

    Task AddCampaignAsync(string campaignId);

    Task<TenantDirectory> GetAsync();
}

[GenerateSerializer, Immutable, Alias("o2o.tenant-directory")]
public sealed record TenantDirectory(
    [property: Id(0)] IReadOnlyList<string> Stores,
    [property: Id(1)] IReadOnlyList<string> Campaigns);

[GenerateSerializer, Alias("o2o.tenant-directory-state")]
public sealed class TenantDirectoryState
{
    [Id(0)] public SortedSet<string> Stores { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public SortedSet<string> Campaigns { get; set; } = new(StringComparer.Ordinal);
}

/// <inheritdoc cref="ITenantDirectoryGrain"/>
public sealed class TenantDirectoryGrain(
    [PersistentState("directory", StorageNames.Stores)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    public Task AddStoreAsync(string storeId) => AddAsync(state.State.Stores, storeId);

    public Task AddCampaignAsync(string campaignId) => AddAsync(state.State.Campaigns, campaignId);

    public Task<TenantDirectory> GetAsync() =>
        Task.FromResult(new TenantDirectory([.. state.State.Stores], [.. state.State.Campaigns]));

    private async Task AddAsync(SortedSet<string> set, string id)
    {
        if (set.Add(id))
        {
            await state.WriteStateAsync();
        }
    }
}
