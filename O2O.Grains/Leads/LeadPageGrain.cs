using Microsoft.Extensions.Options;

namespace O2O.Grains.Leads;

[GenerateSerializer, Alias("o2o.lead-page-state")]
public sealed class LeadPageState
{
    [Id(0)] public List<OpenLead> Leads { get; set; } = [];
}

/// <inheritdoc cref="ILeadPageGrain"/>
/// <remarks>
/// Storage only: it calls no grain, so the router may await it from anywhere. Its router holds the
/// same leads in memory, so an idle page leaves memory soon.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class LeadPageGrain(
    [PersistentState("page", StorageNames.Leads)] IPersistentState<LeadPageState> state,
    IOptions<StateWriteOptions> writes) : Grain, ILeadPageGrain
{
    private readonly StateWriter<LeadPageState> _writer = new(state, StorageNames.Leads, writes);

    public Task<IReadOnlyList<OpenLead>> ReadAsync() => Task.FromResult<IReadOnlyList<OpenLead>>(state.State.Leads);

    public async Task WriteAsync(IReadOnlyList<OpenLead> leads)
    {
        state.State = new LeadPageState { Leads = [.. leads] };
        if (leads.Count == 0 && state.RecordExists)
        {
            // Closed leads leave no row behind: an erased person's lead must not linger in storage.
            await state.ClearStateAsync();
            return;
        }
        if (leads.Count > 0)
        {
            await _writer.WriteAsync();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);
}
