namespace O2O.Grains.Leads;

/// <summary>A consultant seat as routing sees it.</summary>
public sealed record Seat(string ConsultantId, ConsultantRole Role, bool Online, int OpenLeads, long LastAssigned, int? Cap = null);

/// <summary>
/// Picks who gets a lead: an online consultant of the lead's team, under the cap, who has not
/// already had it; fewest open leads first, then whoever was assigned longest ago (round robin),
/// then by id so the choice is deterministic. Pure.
/// </summary>
public static class LeadRouting
{
    public static string? Pick(IEnumerable<Seat> seats, int cap, IReadOnlySet<string> alreadyTried) =>
        seats
            .Where(s => s.Role == ConsultantRole.Consultant && s.Online && s.OpenLeads < (s.Cap ?? cap) && !alreadyTried.Contains(s.ConsultantId))
            .OrderBy(s => s.OpenLeads)
            .ThenBy(s => s.LastAssigned)
            .ThenBy(s => s.ConsultantId, StringComparer.Ordinal)
            .FirstOrDefault()?.ConsultantId;

    /// <summary>True when nobody who has not yet had the lead could ever take it, even after freeing up.</summary>
    public static bool Exhausted(IEnumerable<Seat> seats, IReadOnlySet<string> alreadyTried) =>
        !seats.Any(s => s.Role == ConsultantRole.Consultant && s.Online && !alreadyTried.Contains(s.ConsultantId));
}
