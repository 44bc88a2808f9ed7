namespace O2O.Grains.Leads;

/// <summary>
/// One page of a team's open leads as stored. The team's router is its only caller: it keeps the
/// leads in memory, fills pages up to <see cref="MaxBytes"/> (by <see cref="LeadStorageSize"/>),
/// reads its pages when it activates and writes a page when a lead on it changes.
/// Key: <c>{tenant}/{team}/{page}</c> (see <see cref="LeadPageKey"/>).
/// </summary>
public interface ILeadPageGrain : IGrainWithStringKey
{
    /// <summary>
    /// What a page's leads may take by <see cref="LeadStorageSize"/>: half of the ~960 KB a Table row
    /// holds, so that it fits whatever the estimate overcounts, and several hundred ordinary leads go
    /// out in one write. A lead is at most about 70 KB (20 notes of 1,000 Vietnamese characters).
    /// </summary>
    public const int MaxBytes = 480 * 1024;

    /// <summary>The page's open leads as last written.</summary>
    Task<IReadOnlyList<OpenLead>> ReadAsync();

    /// <summary>Replaces the page's leads; an empty list removes the page's row.</summary>
    Task WriteAsync(IReadOnlyList<OpenLead> leads);
}

/// <summary>The grain key of a team's lead page, and lead numbers.</summary>
public static class LeadPageKey
{
    public static string For(string tenant, string team, long page) =>
        TenantKey.Compose(tenant, string.Concat(team, "/", page.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The number of a lead id <c>L{number}</c>.</summary>
    public static long NumberOf(string leadId) =>
        long.Parse(leadId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
}
