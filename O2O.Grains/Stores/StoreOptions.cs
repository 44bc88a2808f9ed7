using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Stores;

/// <summary>Store settings (section <c>O2O:Stores</c>).</summary>
public sealed class StoreOptions
{
    public const string Section = "O2O:Stores";

    /// <summary>Offset of the stores' local time from UTC; "today" starts at local midnight. Vietnam is UTC+7 all year.</summary>
    [Range(typeof(TimeSpan), "-14:00:00", "14:00:00")]
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(7);
}
