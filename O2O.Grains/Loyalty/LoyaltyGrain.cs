using O2O.Grains.Attribution;
using O2O.Grains.MasterData;

namespace O2O.Grains.Loyalty;

/// <inheritdoc cref="ILoyaltyGrain"/>
public sealed class LoyaltyGrain(
    [PersistentState("loyalty", StorageNames.MasterData)] IPersistentState<LoyaltyState> state,
    TimeProvider clock) : Grain, ILoyaltyGrain
{
    private string Tenant => TenantKey.Split(this.GetPrimaryKeyString()).Tenant;

    public async Task<bool> EarnAsync(LedgerEntry entry)
    {
        if (entry.Points <= 0 || state.State.Entries.Exists(e => e.Kind == entry.Kind && e.Reference == entry.Reference))
        {
            return false;
        }
        state.State.Entries.Add(entry);
        // Money-like: written before it is acknowledged, whatever the storage.
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IMasterDataKpiGrain>(Tenant).AddAsync([new KpiDelta(ReportCalendar.DayOf(entry.At), Kpi.PointsEarned, entry.Points)]);
        return true;
    }

    public async Task<RedeemOutcome> RedeemAsync(long points, string reference, string? storeId)
    {
        var balance = Balance();
        if (state.State.Entries.Exists(e => e.Kind == LedgerKind.Redeemed && e.Reference == reference))
        {
            return new RedeemOutcome(false, balance, $"points were already redeemed for '{reference}'");
        }
        if (points <= 0)
        {
            return new RedeemOutcome(false, balance, "points to redeem must be above 0");
        }
        if (points > balance)
        {
            return new RedeemOutcome(false, balance, $"the balance is {balance} points");
        }
        var now = clock.GetUtcNow();
        state.State.Entries.Add(new LedgerEntry(LedgerKind.Redeemed, -points, reference, now, storeId));
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IMasterDataKpiGrain>(Tenant).AddAsync([new KpiDelta(ReportCalendar.DayOf(now), Kpi.PointsRedeemed, points)]);
        return new RedeemOutcome(true, Balance(), null);
    }

    public Task<LoyaltyView> GetAsync() => Task.FromResult(new LoyaltyView(
        Balance(),
        state.State.Entries.Where(e => e.Points > 0).Sum(e => e.Points),
        -state.State.Entries.Where(e => e.Points < 0).Sum(e => e.Points),
        [.. state.State.Entries.OrderByDescending(e => e.At)]));

    private long Balance() => state.State.Entries.Sum(e => e.Points);
}
