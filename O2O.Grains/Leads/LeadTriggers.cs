using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

/// <summary>Decides whether applying a person's events raises a lead, and why. Pure.</summary>
public static class LeadTriggers
{
    /// <summary>
    /// The strongest reason this batch raises a lead, or null. <paramref name="priorScore"/> is the
    /// displayed score before the batch, so a person who is already hot does not raise again on every click.
    /// </summary>
    public static LeadTrigger? Detect(IReadOnlyList<CustomerEvent> events, LeadSnapshot lead, int priorScore, int hotThreshold)
    {
        var score = ScoreCard.Display(lead.RawScore);
        if (events.Any(e => e.Type == EventType.CheckIn && e.StoreId is not null) && (lead.Name is not null || lead.MaskedPhone is not null || priorScore > 0))
        {
            return LeadTrigger.StoreCheckIn;
        }
        if (events.Any(e => e.Type == EventType.Track && SegmentEvents.IsContact(e.Name)))
        {
            return LeadTrigger.Contact;
        }
        if (priorScore < hotThreshold && score >= hotThreshold)
        {
            return LeadTrigger.HotScore;
        }
        return null;
    }

    /// <summary>The team that works a lead: the store the person is in or was last seen at, else the online team.</summary>
    public static string TeamOf(IReadOnlyList<CustomerEvent> events, LeadSnapshot lead) =>
        events.LastOrDefault(e => e.Type == EventType.CheckIn && e.StoreId is not null)?.StoreId
        ?? lead.StoreId
        ?? LeadOptions.OnlineTeam;
}
