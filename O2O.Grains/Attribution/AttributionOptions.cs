using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Attribution;

/// <summary>Lookback windows and decay for attribution (section <c>O2O:Attribution</c>).</summary>
public sealed class AttributionOptions
{
    public const string Section = "O2O:Attribution";

    [Range(1, 365)] public int ClickLookbackDays { get; set; } = 30;
    [Range(0.0, 90.0)] public double ViewLookbackDays { get; set; } = 1;
    [Range(0.1, 365.0)] public double HalfLifeDays { get; set; } = 7;

    private AttributionSettings? _settings;

    /// <summary>These options as attribution takes them: made once, and shared by every profile in the silo.</summary>
    public AttributionSettings Settings => _settings ??= new()
    {
        ClickLookback = TimeSpan.FromDays(ClickLookbackDays),
        ViewLookback = TimeSpan.FromDays(ViewLookbackDays),
        HalfLife = TimeSpan.FromDays(HalfLifeDays),
    };
}
