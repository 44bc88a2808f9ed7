namespace O2O.Grains.Administration;

/// <inheritdoc cref="ICredentialGrain"/>
public sealed class CredentialGrain(
    [PersistentState("credential", StorageNames.Stores)] IPersistentState<CredentialState> state) : Grain, ICredentialGrain
{
    public Task<Credential?> GetAsync() => Task.FromResult(state.State.Credential);

    public async Task SetAsync(Credential credential)
    {
        state.State.Credential = credential;
        await state.WriteStateAsync();
    }

    public async Task<bool> SeedAsync(Credential credential)
    {
        if (state.State.Credential is not null)
        {
            return false;
        }
        await SetAsync(credential);
        return true;
    }
}

[GenerateSerializer, Alias("o2o.credential-state")]
public sealed class CredentialState
{
    [Id(0)] public Credential? Credential { get; set; }
}
