namespace O2O.Grains.Leads;

/// <summary>
/// One page of a team's open leads as stored: the leads numbered
/// <c>[page × PageSize, (page + 1) × PageSize)</c> that are still open. The team's router is its only
/// caller; it keeps the leads in memory, reads its pages when it activates and writes a page when a
/// lead on it changes. Key: <c>{tenant}/{team}/{page}</c> (see <see cref="LeadPageKey"/>).
/// </summary>
public interface ILeadPageGrain : IGrainWithStringKey
{
    /// <summary>
    /// Open leads one page holds at most. A lead is at most about 66 KB as stored (20 notes of 1,000
    /// Vietnamese characters on top of its card), so a full page stays under the ~960 KB a Table row can hold.
    /// </summary>
    public const int PageSize = 10;

    /// <summary>The page's open leads as last written.</summary>
    Task<IReadOnlyList<OpenLead>> ReadAsync();

    /// <summary>Replaces the page's leads; an empty list removes the page's row.</summary>
    Task WriteAsync(IReadOnlyList<OpenLead> leads);
}

/// <summary>Where a team's leads are stored: the page a lead number falls on, and the page's grain key.</summary>
public static class LeadPageKey
{
    public static string For(string tenant, string team, long page) =>
        TenantKey.Compose(tenant, string.Concat(team, "/", page.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The page of a lead id <c>L{number}</c>.</summary>
    public static long PageOf(string leadId) =>
        long.Parse(leadId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) / ILeadPageGrain.PageSize;

    /// <summary>The number of a lead id <c>L{number}</c>.</summary>
    public static long NumberOf(string leadId) =>
        long.Parse(leadId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
}
