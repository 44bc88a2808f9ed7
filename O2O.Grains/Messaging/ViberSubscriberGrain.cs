namespace O2O.Grains.Messaging;

[GenerateSerializer, Alias("o2o.viber-subscriber-state")]
public sealed class ViberSubscriberState
{
    [Id(0)] public string? ProfileId { get; set; }
    [Id(1)] public bool Subscribed { get; set; }
}

/// <inheritdoc cref="IViberSubscriberGrain"/>
[CollectionAgeLimit(Minutes = 10)]
public sealed class ViberSubscriberGrain(
    [PersistentState("viber-subscriber", StorageNames.MasterData)] IPersistentState<ViberSubscriberState> state) : Grain, IViberSubscriberGrain
{
    public async Task LinkAsync(string profileId)
    {
        if (state.State.ProfileId != profileId)
        {
            // Another person's link opened from the same Viber account: the newest link says who uses it now.
            state.State.ProfileId = profileId;
            state.State.Subscribed = false;
            await state.WriteStateAsync();
        }
    }

    public async Task<(string? ProfileId, bool Changed)> SetSubscribedAsync(bool subscribed)
    {
        if (state.State.ProfileId is not { } profileId)
        {
            return (null, false);
        }
        if (state.State.Subscribed == subscribed)
        {
            return (profileId, false);
        }
        state.State.Subscribed = subscribed;
        await state.WriteStateAsync();
        return (profileId, true);
    }
}
