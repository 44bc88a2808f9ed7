namespace O2O.Grains.AdExport;

/// <summary>
/// The profiles of one tenant that currently agree to sharing with ad platforms: where an export
/// starts. Key: the tenant id. Profiles add and remove themselves as their consent changes; the export
/// still asks each profile again, so the list only has to be a superset.
/// </summary>
public interface IAdAudienceGrain : IGrainWithStringKey
{
    Task SetAsync(string profileId, bool sharing);

    Task<IReadOnlyList<string>> GetAsync();
}

[GenerateSerializer, Alias("o2o.ad-audience-state")]
public sealed class AdAudienceState
{
    [Id(0)] public HashSet<string> Profiles { get; set; } = new(StringComparer.Ordinal);
}

/// <inheritdoc cref="IAdAudienceGrain"/>
public sealed class AdAudienceGrain(
    [PersistentState("ad-audience", StorageNames.Profiles)] IPersistentState<AdAudienceState> state) : Grain, IAdAudienceGrain
{
    public async Task SetAsync(string profileId, bool sharing)
    {
        if (sharing ? state.State.Profiles.Add(profileId) : state.State.Profiles.Remove(profileId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> GetAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Profiles.Order(StringComparer.Ordinal)]);
}
