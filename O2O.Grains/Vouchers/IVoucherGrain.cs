namespace O2O.Grains.Vouchers;

/// <summary>
/// One voucher: its value, conditions and expiry, who it is for and who sent it, and every
/// redemption. The referral welcome voucher takes a fixed amount off the first order and a share
/// off the next one; each order redeems once. Key: <c>{tenant}/{code}</c>.
/// </summary>
public interface IVoucherGrain : IGrainWithStringKey
{
    /// <summary>Creates the voucher; false when the code exists already.</summary>
    Task<bool> IssueAsync(VoucherTerms terms);

    /// <summary>Redeems it for an order, or says why not.</summary>
    Task<VoucherRedemption> RedeemAsync(VoucherUse use);

    Task<VoucherView?> GetAsync();
}

[GenerateSerializer, Immutable, Alias("o2o.voucher-terms")]
public sealed record VoucherTerms(
    [property: Id(0)] long FirstOrderAmount,
    [property: Id(1)] int NextOrderPercent,
    [property: Id(2)] long MinimumOrder,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] string RecipientPhone,
    [property: Id(5)] string SenderPhone,
    [property: Id(6)] DateTimeOffset IssuedAt);

[GenerateSerializer, Immutable, Alias("o2o.voucher-use")]
public sealed record VoucherUse(
    [property: Id(0)] string OrderId,
    [property: Id(1)] long OrderTotal,
    [property: Id(2)] string? Phone,
    [property: Id(3)] string? StoreId,
    [property: Id(4)] string Channel,
    [property: Id(5)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("o2o.voucher-redemption")]
public sealed record VoucherRedemption(
    [property: Id(0)] bool Redeemed,
    [property: Id(1)] long Discount,
    [property: Id(2)] string? Refusal,
    [property: Id(3)] bool FirstUse);

[GenerateSerializer, Immutable, Alias("o2o.voucher-view")]
public sealed record VoucherView(
    [property: Id(0)] string Code,
    [property: Id(1)] VoucherTerms Terms,
    [property: Id(2)] IReadOnlyList<VoucherUse> Uses);

[GenerateSerializer, Alias("o2o.voucher-state")]
public sealed class VoucherState
{
    [Id(0)] public VoucherTerms? Terms { get; set; }
    [Id(1)] public List<VoucherUse> Uses { get; set; } = [];
}

/// <summary>
/// Referral bookkeeping of one phone number, as sender (invitations per month) and as recipient
/// (at most one welcome voucher ever). Key: <c>{tenant}/{E.164 phone}</c>.
/// </summary>
public interface IReferralGrain : IGrainWithStringKey
{
    /// <summary>Counts an invitation sent if fewer than <paramref name="monthlyCap"/> went out this month (Vietnam time).</summary>
    Task<bool> TrySendAsync(int monthlyCap, DateTimeOffset at);

    /// <summary>Claims this phone's one welcome voucher; the code already given when it had one.</summary>
    Task<(bool Claimed, string? ExistingCode)> TryReceiveAsync(string code);

    /// <summary>Gives back an invitation counted for a voucher that could not be delivered.</summary>
    Task ReleaseAsync(DateTimeOffset at, string? code);
}

[GenerateSerializer, Alias("o2o.referral-state")]
public sealed class ReferralState
{
    [Id(0)] public List<DateTimeOffset> Sent { get; set; } = [];
    [Id(1)] public string? WelcomeCode { get; set; }
}
