using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Profiles;

/// <summary>How much history a profile keeps (section <c>O2O:Profiles</c>).</summary>
public sealed class ProfileOptions
{
    public const string Section = "O2O:Profiles";

    /// <summary>Touchpoints kept on the timeline; totals keep counting beyond it.</summary>
    [Range(5, 1000)] public int TimelineSize { get; set; } = 50;

    /// <summary>Online touches kept for attribution.</summary>
    [Range(1, 200)] public int TouchesSize { get; set; } = 20;

    /// <summary>Accounts or companies (Segment <c>group</c>) a profile keeps; later groups past it are ignored.</summary>
    [Range(1, 100)] public int GroupsSize { get; set; } = 10;

    /// <summary>A person who has not moved for this long has dropped off at their current stage.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan DropOffAfter { get; set; } = TimeSpan.FromDays(7);
}
