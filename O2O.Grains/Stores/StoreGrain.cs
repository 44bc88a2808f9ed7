using Microsoft.Extensions.Options;
using O2O.Grains.Directory;
using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Stores;

/// <inheritdoc cref="IStoreGrain"/>
public sealed class StoreGrain(
    [PersistentState("store", StorageNames.Stores)] IPersistentState<StoreState> state,
    IOptions<StoreOptions> options,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock) : Grain, IStoreGrain
{
    private readonly StateWriter<StoreState> _writer = new(state, StorageNames.Stores, writes);
    private const int OrderIdsKept = 5_000;
    private static readonly TimeSpan HourlyKept = TimeSpan.FromDays(31);
    private HashSet<string>? _orderIds;

    public async Task RecordAsync(IReadOnlyList<StoreUpdate> updates)
    {
        var s = state.State;
        var isNew = !state.RecordExists && s.Orders == 0 && s.CheckIns.Sum() == 0;
        var fresh = updates.Where(u => s.Delivered.TryRecord(u.DeliveryId)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        RollDay(s);
        foreach (var visit in fresh.SelectMany(u => u.Visits))
        {
            s.CheckIns[(int)visit.Method - 1]++;
            var hour = visit.At.ToUnixTimeSeconds() / 3600;
            s.Hourly[hour] = s.Hourly.GetValueOrDefault(hour) + 1;
            if (LocalDay(visit.At) == s.Today)
            {
                if (visit.ProfileId is { } id)
                {
                    s.VisitorsToday.Add(id);
                }
                else
                {
                    s.AnonymousVisitorsToday++;
                }
            }
        }
        var orderIds = _orderIds ??= [.. s.RecentOrderIds];
        foreach (var order in fresh.SelectMany(u => u.Orders))
        {
            if (!orderIds.Add(order.OrderId))
            {
                continue;
            }
            s.RecentOrderIds.Add(order.OrderId);
            s.Orders++;
            s.Revenue[(int)order.Source - 1] += order.Total;
            if (!order.Identified)
            {
                s.AnonymousOrders++;
            }
        }
        if (s.RecentOrderIds.Count > OrderIdsKept)
        {
            var drop = s.RecentOrderIds.Count - OrderIdsKept;
            orderIds.ExceptWith(s.RecentOrderIds.Take(drop));
            s.RecentOrderIds.RemoveRange(0, drop);
        }
        foreach (var delta in fresh.SelectMany(u => u.Funnel))
        {
            for (var stage = delta.From + 1; stage <= delta.To; stage++)
            {
                s.Funnel[FunnelStages.IndexOf(stage)]++;
            }
            if (delta.From <= FunnelStage.Contacted && delta.To >= FunnelStage.StoreVisited)
            {
                s.PriorStage[(int)delta.Prior]++;
            }
        }
        var cutoff = (clock.GetUtcNow() - HourlyKept).ToUnixTimeSeconds() / 3600;
        foreach (var old in s.Hourly.Keys.Where(h => h < cutoff).ToList())
        {
            s.Hourly.Remove(old);
        }
        await _writer.WriteOrReloadAsync(this);
        if (isNew)
        {
            var (tenant, id) = TenantKey.Split(this.GetPrimaryKeyString());
            await GrainFactory.GetGrain<ITenantDirectoryGrain>(tenant).AddStoreAsync(id);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    public Task<StoreReport> GetReportAsync()
    {
        var s = state.State;
        RollDay(s);
        var hourNow = clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
        long Window(int hours) => s.Hourly.Where(h => h.Key > hourNow - hours).Sum(h => (long)h.Value);
        return Task.FromResult(new StoreReport
        {
            StoreId = TenantKey.Split(this.GetPrimaryKeyString()).Id,
            CheckInsByMethod = Enum.GetValues<CheckInMethod>().ToDictionary(m => m, m => s.CheckIns[(int)m - 1]),
            CheckIns = s.CheckIns.Sum(),
            VisitorsToday = s.VisitorsToday.Count + s.AnonymousVisitorsToday,
            VisitsLastHour = Window(1),
            VisitsLast24Hours = Window(24),
            VisitsLast7Days = Window(24 * 7),
            VisitsLast30Days = Window(24 * 30),
            Funnel = new Dictionary<FunnelStage, long>
            {
                [FunnelStage.StoreVisited] = s.Funnel[FunnelStages.IndexOf(FunnelStage.StoreVisited)],
                [FunnelStage.Purchased] = s.Funnel[FunnelStages.IndexOf(FunnelStage.Purchased)],
            },
            VisitorsByPriorStage = Enumerable.Range(0, FunnelStages.Count - 1)
                .ToDictionary(i => (FunnelStage)i, i => s.PriorStage[i]),
            Orders = s.Orders,
            AnonymousOrders = s.AnonymousOrders,
            Revenue = s.Revenue.Sum(),
            RevenueBySource = Enum.GetValues<OrderSource>().ToDictionary(o => o, o => s.Revenue[(int)o - 1]),
        });
    }

    public async Task<bool> ForgetVisitorAsync(string profileId)
    {
        var s = state.State;
        if (!s.VisitorsToday.Remove(profileId))
        {
            return false;
        }
        s.AnonymousVisitorsToday++;
        await state.WriteStateAsync();
        return true;
    }

    private void RollDay(StoreState s)
    {
        var today = LocalDay(clock.GetUtcNow());
        if (s.Today != today)
        {
            s.Today = today;
            s.VisitorsToday.Clear();
            s.AnonymousVisitorsToday = 0;
        }
    }

    private DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(options.Value.UtcOffset).DateTime);
}
