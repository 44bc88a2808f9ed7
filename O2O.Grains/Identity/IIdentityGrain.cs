namespace O2O.Grains.Identity;

/// <summary>
/// Maps one normalised identifier to the profile that owns it.
/// Key: <c>{tenant}/{kind}:{value}</c>, for example <c>shop/phone:+84901234567</c>.
/// </summary>
public interface IIdentityGrain : IGrainWithStringKey
{
    /// <summary>The owning profile id, or null when nobody has claimed this identifier.</summary>
    Task<string?> GetProfileAsync();

    /// <summary>Claims the identifier for <paramref name="profileId"/> unless already owned; returns the owner.</summary>
    Task<string> ClaimAsync(string profileId);

    /// <summary>Moves ownership from a merged profile to the one it merged into.</summary>
    Task ReassignAsync(string fromProfileId, string toProfileId);

    /// <summary>Frees the identifier when its owner is erased.</summary>
    Task ReleaseAsync(string profileId);
}

[GenerateSerializer, Alias("o2o.identity-state")]
public sealed class IdentityState
{
    [Id(0)] public string? ProfileId { get; set; }
}

/// <inheritdoc cref="IIdentityGrain"/>
public sealed class IdentityGrain(
    [PersistentState("identity", StorageNames.Identities)] IPersistentState<IdentityState> state) : Grain, IIdentityGrain
{
    public Task<string?> GetProfileAsync() => Task.FromResult(state.State.ProfileId);

    public async Task<string> ClaimAsync(string profileId)
    {
        if (state.State.ProfileId is { } owner)
        {
            return owner;
        }
        state.State.ProfileId = profileId;
        await state.WriteStateAsync();
        return profileId;
    }

    public async Task ReassignAsync(string fromProfileId, string toProfileId)
    {
        if (state.State.ProfileId == fromProfileId)
        {
            state.State.ProfileId = toProfileId;
            await state.WriteStateAsync();
        }
    }

    public async Task ReleaseAsync(string profileId)
    {
        if (state.State.ProfileId == profileId)
        {
            await state.ClearStateAsync();
        }
    }
}
