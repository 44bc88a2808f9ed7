using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Loyalty;

/// <summary>How points are earned (section <c>O2O:Loyalty</c>).</summary>
public sealed class LoyaltyOptions
{
    public const string Section = "O2O:Loyalty";

    /// <summary>VND spent per point on a verified order.</summary>
    [Range(1, 100_000_000)] public long VndPerPoint { get; set; } = 10_000;

    /// <summary>Points for reviewing an order (once per order, when the reviewer proved their phone).</summary>
    [Range(0, 100_000)] public long ReviewPoints { get; set; } = 20;

    public long PointsFor(long orderTotal) => Math.Max(0, orderTotal / VndPerPoint);
}
