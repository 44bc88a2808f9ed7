namespace O2O.Grains.Leads;

/// <summary>
/// One page of a team's open leads as stored: a record of its own in the <c>leads</c> grain storage,
/// written and read by the team's router alone, which keeps the leads in memory and fills pages up
/// to <see cref="LeadPages.MaxBytes"/> (by <see cref="LeadStorageSize"/>).
/// </summary>
[GenerateSerializer, Alias("o2o.lead-page-state")]
public sealed class LeadPageState
{
    [Id(0)] public List<OpenLead> Leads { get; set; } = [];
}

/// <summary>Where a team's lead pages are stored.</summary>
public static class LeadPages
{
    /// <summary>The state name of a page record.</summary>
    public const string StateName = "page";

    /// <summary>
    /// What a page's leads may take by <see cref="LeadStorageSize"/>, which never counts less than they
    /// serialize to: under the 960 KB (15 properties of 64 KB) Orleans' Table provider stores in a row,
    /// with room for the row's keys. Ordinary leads take about 1.5 KB by the estimate (about 0.7 KB
    /// stored), so several hundred go out in one write; a lead is at most about 70 KB (20 notes of
    /// 1,000 Vietnamese characters).
    /// </summary>
    public const int MaxBytes = 896 * 1024;

    private static readonly GrainType PageType = GrainType.Create("leadpage");

    /// <summary>
    /// The id a page is stored under: <c>leadpage/{tenant}/{team}/{page}</c>. No grain has it; the
    /// storage provider only needs an id to name the row.
    /// </summary>
    public static GrainId IdOf(string tenant, string team, long page) =>
        GrainId.Create(PageType, TenantKey.Compose(tenant, string.Concat(team, "/", page.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>The number of a lead id <c>L{number}</c>.</summary>
    public static long NumberOf(string leadId) =>
        long.Parse(leadId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
}
