using Microsoft.Extensions.Options;

namespace O2O.Grains.MasterData;

/// <inheritdoc cref="IMasterDataKpiGrain"/>
public sealed class MasterDataKpiGrain(
    [PersistentState("kpis", StorageNames.MasterData)] IPersistentState<KpiState> state,
    IOptions<StateWriteOptions> writes) : Grain, IMasterDataKpiGrain
{
    private static readonly int Width = Enum.GetValues<Kpi>().Length;
    private readonly StateWriter<KpiState> _writer = new(state, StorageNames.MasterData, writes);

    public async Task AddAsync(IReadOnlyList<KpiDelta> deltas)
    {
        foreach (var d in deltas)
        {
            if (!state.State.Days.TryGetValue(d.Day, out var counts) || counts.Length < Width)
            {
                var grown = new long[Width];
                counts?.CopyTo(grown, 0);
                state.State.Days[d.Day] = counts = grown;
            }
            counts[(int)d.Kpi] += d.Amount;
        }
        await _writer.WriteAsync();
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
