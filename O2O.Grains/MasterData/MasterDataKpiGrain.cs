using Microsoft.Extensions.Options;

namespace O2O.Grains.MasterData;

/// <inheritdoc cref="IMasterDataKpiGrain"/>
public sealed class MasterDataKpiGrain(
    [PersistentState("kpis", StorageNames.MasterData)] IPersistentState<KpiState> state,
    IOptions<StateWriteOptions> writes) : Grain, IMasterDataKpiGrain
{
    /// <summary>
    /// Delivery ids remembered (8 bytes each): a retry or replay comes within seconds to minutes, while
    /// this covers the last 16,384 orders, scans, codes and messages of the tenant.
    /// </summary>
    public const int DeliveriesKept = 16_384;

    private static readonly int Width = Enum.GetValues<Kpi>().Length;
    private readonly StateWriter<KpiState> _writer = new(state, StorageNames.MasterData, writes);

    public async Task AddAsync(IReadOnlyList<KpiDelivery> deliveries)
    {
        var fresh = deliveries.Where(d => state.State.Delivered.TryRecord(d.Id)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        foreach (var d in fresh.SelectMany(f => f.Deltas))
        {
            if (!state.State.Days.TryGetValue(d.Day, out var counts) || counts.Length < Width)
            {
                var grown = new long[Width];
                counts?.CopyTo(grown, 0);
                state.State.Days[d.Day] = counts = grown;
            }
            counts[(int)d.Kpi] += d.Amount;
        }
        await _writer.WriteOrReloadAsync(this);
    }

    public Task<KpiReport> GetAsync(DateOnly from, DateOnly to)
    {
        var totals = new long[Width];
        var days = new List<KpiDay>();
        foreach (var (day, counts) in state.State.Days.Where(d => d.Key >= from && d.Key <= to).OrderBy(d => d.Key))
        {
            for (var i = 0; i < counts.Length && i < Width; i++)
            {
                totals[i] += counts[i];
            }
            days.Add(new KpiDay(day, [.. counts]));
        }
        return Task.FromResult(new KpiReport(days, totals));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);
}
