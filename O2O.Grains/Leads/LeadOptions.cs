using System.ComponentModel.DataAnnotations;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

/// <summary>Lead routing and consultant assist (section <c>O2O:Leads</c>).</summary>
public sealed class LeadOptions
{
    public const string Section = "O2O:Leads";

    /// <summary>The team that works leads with no store.</summary>
    public const string OnlineTeam = "online";

    /// <summary>How long an offered lead waits for its consultant before it goes to the next one.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan ClaimSla { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Open (offered or claimed) leads one consultant holds at most.</summary>
    [Range(1, 100)] public int MaxOpenPerConsultant { get; set; } = 5;

    /// <summary>How often the router looks for expired offers; the SLA itself is measured on the clock.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SlaCheckPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A lead nobody claimed within this time is closed, so boards hold what is still worth a call.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan CloseUnclaimedAfter { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How long routers gather the changes the event stream brings (raises, expiries) before writing
    /// them. A crash can lose that much; consultants' own actions (claims, outcomes) are written before
    /// they are answered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan WriteDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a hot-lead board gathers ranking changes before writing them. A board is a ranking of
    /// snapshots that every scored event refreshes, not a lead: a crash costs the people ranked since
    /// its last write their place on it until they act again, while their leads stay in the routers.
    /// Every second, as for routers, it was most of the Table writes of returning people beyond their
    /// profiles' one per checkpoint.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BoardWriteDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Scripts, most specific first wins; a rule with no conditions is the fallback.</summary>
    public List<ScriptRule> Scripts { get; set; } = [];
}

/// <summary>A script and when to use it. Empty conditions match anything.</summary>
public sealed class ScriptRule
{
    [Required] public string Id { get; set; } = "";
    [Required] public string Text { get; set; } = "";
    /// <summary>Funnel stages this script is for.</summary>
    public List<FunnelStage> Stages { get; set; } = [];
    /// <summary>A word the predicted interest must contain (a product or category slug).</summary>
    public string? Interest { get; set; }
    /// <summary>Customer segments this script is for (see <see cref="LeadInsights.SegmentOf"/>).</summary>
    public List<string> Segments { get; set; } = [];
}
