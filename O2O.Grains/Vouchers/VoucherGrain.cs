using O2O.Grains.Attribution;

namespace O2O.Grains.Vouchers;

/// <inheritdoc cref="IVoucherGrain"/>
public sealed class VoucherGrain(
    [PersistentState("voucher", StorageNames.MasterData)] IPersistentState<VoucherState> state) : Grain, IVoucherGrain
{
    public async Task<bool> IssueAsync(VoucherTerms terms)
    {
        if (state.State.Terms is not null)
        {
            return false;
        }
        state.State.Terms = terms;
        await state.WriteStateAsync();
        return true;
    }

    public async Task<VoucherRedemption> RedeemAsync(VoucherUse use)
    {
        var decision = VoucherRules.Redeem(state.State, use);
        if (decision.Redeemed)
        {
            state.State.Uses.Add(use);
            // Money: written before the till is told.
            await state.WriteStateAsync();
        }
        return decision;
    }

    public Task<VoucherView?> GetAsync() => Task.FromResult(state.State.Terms is { } terms
        ? new VoucherView(TenantKey.Split(this.GetPrimaryKeyString()).Id, terms, [.. state.State.Uses])
        : null);
}

/// <summary>Whether a voucher applies to an order, and for how much. Pure.</summary>
public static class VoucherRules
{
    public static VoucherRedemption Redeem(VoucherState s, VoucherUse use)
    {
        if (s.Terms is not { } t)
        {
            return new VoucherRedemption(false, 0, "no such voucher", false);
        }
        if (s.Uses.Exists(u => u.OrderId == use.OrderId))
        {
            return new VoucherRedemption(false, 0, $"the voucher was already redeemed for order '{use.OrderId}'", false);
        }
        if (use.At >= t.ExpiresAt)
        {
            return new VoucherRedemption(false, 0, $"the voucher expired on {t.ExpiresAt.ToOffset(ReportCalendar.Offset):dd/MM/yyyy}", false);
        }
        if (use.Phone is { } phone && phone != t.RecipientPhone)
        {
            return new VoucherRedemption(false, 0, "the voucher belongs to another customer", false);
        }
        if (use.OrderTotal < t.MinimumOrder)
        {
            return new VoucherRedemption(false, 0, $"the order must be at least {t.MinimumOrder:N0} VND", false);
        }
        return s.Uses.Count switch
        {
            0 => new VoucherRedemption(true, Math.Min(t.FirstOrderAmount, use.OrderTotal), null, true),
            1 when t.NextOrderPercent > 0 => new VoucherRedemption(true, use.OrderTotal * t.NextOrderPercent / 100, null, false),
            _ => new VoucherRedemption(false, 0, "the voucher is used up", false),
        };
    }
}

/// <inheritdoc cref="IReferralGrain"/>
public sealed class ReferralGrain(
    [PersistentState("referral", StorageNames.MasterData)] IPersistentState<ReferralState> state) : Grain, IReferralGrain
{
    public async Task<bool> TrySendAsync(int monthlyCap, DateTimeOffset at)
    {
        var month = Month(at);
        state.State.Sent.RemoveAll(s => Month(s) != month);
        if (state.State.Sent.Count >= monthlyCap)
        {
            return false;
        }
        state.State.Sent.Add(at);
        await state.WriteStateAsync();
        return true;
    }

    public async Task<(bool Claimed, string? ExistingCode)> TryReceiveAsync(string code)
    {
        if (state.State.WelcomeCode is { } existing)
        {
            return (false, existing);
        }
        state.State.WelcomeCode = code;
        await state.WriteStateAsync();
        return (true, null);
    }

    public async Task ReleaseAsync(DateTimeOffset at, string? code)
    {
        state.State.Sent.Remove(at);
        if (code is not null && state.State.WelcomeCode == code)
        {
            state.State.WelcomeCode = null;
        }
        await state.WriteStateAsync();
    }

    private static (int, int) Month(DateTimeOffset at)
    {
        var local = at.ToOffset(ReportCalendar.Offset);
        return (local.Year, local.Month);
    }
}
