namespace O2O.Grains.Messaging;

[GenerateSerializer, Alias("o2o.provider-message-state")]
public sealed class ProviderMessageState
{
    [Id(0)] public string? MessageId { get; set; }
}

/// <inheritdoc cref="IProviderMessageGrain"/>
[CollectionAgeLimit(Minutes = 10)]
public sealed class ProviderMessageGrain(
    [PersistentState("provider-message", StorageNames.MasterData)] IPersistentState<ProviderMessageState> state) : Grain, IProviderMessageGrain
{
    public async Task SetAsync(string messageId)
    {
        if (state.State.MessageId != messageId)
        {
            state.State.MessageId = messageId;
            await state.WriteStateAsync();
        }
    }

    public Task<string?> GetAsync() => Task.FromResult(state.State.MessageId);
}
