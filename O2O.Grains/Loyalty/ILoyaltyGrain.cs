namespace O2O.Grains.Loyalty;

/// <summary>
/// A person's points ledger, keyed by the phone they proved: <c>{tenant}/{E.164 phone}</c>. Points
/// are earned by verified orders and reviews and redeemed at the till; every entry names what
/// caused it, and an entry for the same reference is taken once.
/// </summary>
public interface ILoyaltyGrain : IGrainWithStringKey
{
    /// <summary>Adds points; false when an entry with this reference exists already.</summary>
    Task<bool> EarnAsync(LedgerEntry entry);

    /// <summary>Takes points for a purchase; refused with the reason when the balance is short or the reference was redeemed.</summary>
    Task<RedeemOutcome> RedeemAsync(long points, string reference, string? storeId);

    Task<LoyaltyView> GetAsync();
}

public enum LedgerKind : byte
{
    OrderVerified = 1,
    Review = 2,
    Redeemed = 3,
}

[GenerateSerializer, Immutable, Alias("o2o.ledger-entry")]
public sealed record LedgerEntry(
    [property: Id(0)] LedgerKind Kind,
    [property: Id(1)] long Points,
    [property: Id(2)] string Reference,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? StoreId);

[GenerateSerializer, Immutable, Alias("o2o.redeem-outcome")]
public sealed record RedeemOutcome(
    [property: Id(0)] bool Redeemed,
    [property: Id(1)] long Balance,
    [property: Id(2)] string? Refusal);

[GenerateSerializer, Immutable, Alias("o2o.loyalty-view")]
public sealed record LoyaltyView(
    [property: Id(0)] long Balance,
    [property: Id(1)] long Earned,
    [property: Id(2)] long Redeemed,
    [property: Id(3)] IReadOnlyList<LedgerEntry> Entries);

[GenerateSerializer, Alias("o2o.loyalty-state")]
public sealed class LoyaltyState
{
    [Id(0)] public List<LedgerEntry> Entries { get; set; } = [];
}
