using Microsoft.Extensions.Options;
using O2O.Grains.Directory;
using O2O.Grains.Profiles;

namespace O2O.Grains.Campaigns;

/// <inheritdoc cref="ICampaignGrain"/>
public sealed class CampaignGrain(
    [PersistentState("campaign", StorageNames.Campaigns)] IPersistentState<CampaignState> state,
    IOptions<StateWriteOptions> writes) : Grain, ICampaignGrain
{
    private readonly StateWriter<CampaignState> _writer = new(state, StorageNames.Campaigns, writes);

    public async Task RecordAsync(IReadOnlyList<CampaignUpdate> updates)
    {
        var isNew = state.State.Reached.Count == 0;
        var fresh = updates.Where(u => state.State.Delivered.TryRecord(u.DeliveryId)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        foreach (var delta in fresh.SelectMany(u => u.Deltas))
        {
            var key = string.Join('|', delta.Touch?.Source, delta.Touch?.Medium, delta.Touch?.Content);
            if (!state.State.Reached.TryGetValue(key, out var counts))
            {
                state.State.Reached[key] = counts = new long[FunnelStages.Count];
            }
            for (var stage = delta.From + 1; stage <= delta.To; stage++)
            {
                counts[FunnelStages.IndexOf(stage)]++;
            }
        }
        await _writer.WriteOrReloadAsync(this);
        if (isNew)
        {
            var (tenant, id) = TenantKey.Split(this.GetPrimaryKeyString());
            await GrainFactory.GetGrain<ITenantDirectoryGrain>(tenant).AddCampaignAsync(id);
        }
    }

    public Task<CampaignReport> GetReportAsync()
    {
        var total = new long[FunnelStages.Count];
        var breakdown = new List<CampaignBreakdown>();
        foreach (var (key, counts) in state.State.Reached.OrderByDescending(kv => kv.Value[0]))
        {
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += counts[i];
            }
            var parts = key.Split('|');
            breakdown.Add(new CampaignBreakdown(NullIfEmpty(parts[0]), NullIfEmpty(parts[1]), NullIfEmpty(parts[2]), FunnelReport.From(counts)));
        }
        return Task.FromResult(new CampaignReport(TenantKey.Split(this.GetPrimaryKeyString()).Id, FunnelReport.From(total), breakdown));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
