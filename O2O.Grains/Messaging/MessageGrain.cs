using Microsoft.Extensions.Options;
using O2O.Grains.Attribution;
using O2O.Grains.MasterData;

namespace O2O.Grains.Messaging;

[GenerateSerializer, Alias("o2o.message-state")]
public sealed class MessageState
{
    [Id(0)] public MessageRecord? Record { get; set; }
}

/// <inheritdoc cref="IMessageGrain"/>
[CollectionAgeLimit(Minutes = 10)]
public sealed class MessageGrain(
    [PersistentState("message", StorageNames.MasterData)] IPersistentState<MessageState> state,
    IOptions<StateWriteOptions> writes) : Grain, IMessageGrain
{
    private readonly StateWriter<MessageState> _writer = new(state, StorageNames.MasterData, writes);

    private string Tenant => TenantKey.Split(this.GetPrimaryKeyString()).Tenant;

    public async Task RecordAsync(MessageRecord record)
    {
        var first = state.State.Record is null;
        state.State.Record = record;
        await _writer.WriteAsync();
        if (first)
        {
            var day = ReportCalendar.DayOf(record.At);
            var sent = record.Status is "Sent" or "Delivered";
            await Kpis.AddAsync(sent
                ? [new KpiDelta(day, Kpi.MessagesSent, 1), new KpiDelta(day, Kpi.MessageCost, record.CostVnd)]
                : [new KpiDelta(day, Kpi.MessagesFailed, 1)]);
        }
    }

    public async Task<bool> DeliveryReportAsync(bool delivered, DateTimeOffset at)
    {
        if (state.State.Record is not { } r || r.Status is "Delivered" or "Failed")
        {
            return false;
        }
        state.State.Record = r with { Status = delivered ? "Delivered" : "Failed", DeliveredAt = delivered ? at : null };
        await _writer.WriteAsync();
        await Kpis.AddAsync([new KpiDelta(ReportCalendar.DayOf(r.At), delivered ? Kpi.MessagesDelivered : Kpi.MessagesFailed, 1)]);
        return true;
    }

    public async Task<bool> ClickedAsync(DateTimeOffset at)
    {
        if (state.State.Record is not { } r || r.ClickedAt is not null)
        {
            return false;
        }
        state.State.Record = r with { ClickedAt = at };
        await _writer.WriteAsync();
        await Kpis.AddAsync([new KpiDelta(ReportCalendar.DayOf(r.At), Kpi.MessagesClicked, 1)]);
        return true;
    }

    public Task<MessageRecord?> GetAsync() => Task.FromResult(state.State.Record);

    private IMasterDataKpiGrain Kpis => GrainFactory.GetGrain<IMasterDataKpiGrain>(Tenant);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);
}

[GenerateSerializer, Alias("o2o.contact-preference-state")]
public sealed class ContactPreferenceState
{
    [Id(0)] public bool OptedOut { get; set; }
    [Id(1)] public DateTimeOffset? ChangedAt { get; set; }
}

/// <inheritdoc cref="IContactPreferenceGrain"/>
public sealed class ContactPreferenceGrain(
    [PersistentState("contact", StorageNames.MasterData)] IPersistentState<ContactPreferenceState> state) : Grain, IContactPreferenceGrain
{
    public async Task SetOptedOutAsync(bool optedOut, DateTimeOffset at)
    {
        state.State.OptedOut = optedOut;
        state.State.ChangedAt = at;
        // A person's wish not to be contacted is written before it is acknowledged, whatever the storage.
        await state.WriteStateAsync();
    }

    public Task<bool> IsOptedOutAsync() => Task.FromResult(state.State.OptedOut);
}
