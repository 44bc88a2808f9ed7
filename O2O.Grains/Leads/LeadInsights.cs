using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

/// <summary>Reads what a consultant needs from a profile: last touches, interest, segment, script. Pure.</summary>
public static class LeadInsights
{
    private const int PagesShown = 3;

    /// <summary>A coarse customer segment for script rules.</summary>
    public static string SegmentOf(ProfileState profile) => profile switch
    {
        { Totals.Orders: >= 3 } => "loyal",
        { Totals.Orders: > 0 } => "buyer",
        { IsIdentified: true } => "potential",
        { Totals.Events: > 0 } => "anonymous",
        _ => "new",
    };

    /// <summary>The product or category the person looked at most, most recent winning ties.</summary>
    public static string? InterestOf(ProfileState profile) =>
        NewestFirst(profile.Timeline)
            .Where(t => t.Type is EventType.Page or EventType.Screen or EventType.Track && t.Detail is { Length: > 1 } d && d != "/")
            .Select((t, i) => (Slug: Slug(t.Detail!), Order: i))
            .Where(x => x.Slug.Length > 0)
            .GroupBy(x => x.Slug)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Min(x => x.Order))
            .Select(g => g.Key)
            .FirstOrDefault();

    /// <summary>What the person's profile says about them, as a lead card shows it.</summary>
    public static LeadFacts FactsOf(ProfileState profile)
    {
        var ad = profile.Touches.Count > 0 ? profile.Touches[^1] : null;
        return new LeadFacts(
            profile.Stage,
            InterestOf(profile),
            SegmentOf(profile),
            ad is null ? null : new LeadAd(ad.Touch.Source ?? "", ad.Touch.Campaign, ad.Touch.Content, ad.Timestamp),
            [.. NewestFirst(profile.Timeline).Where(t => t.Type is EventType.Page or EventType.Screen && t.Detail is not null).Take(PagesShown).Select(t => t.Detail!)],
            profile.LastStoreId,
            profile.Consents.MarketingChannels(),
            profile.Nurture.MasterChannel?.ToString());
    }

    public static LeadScript? ScriptFor(FunnelStage stage, string? interest, string segment, IEnumerable<ScriptRule> rules) =>
        rules
            .Where(r => r.Stages.Count == 0 || r.Stages.Contains(stage))
            .Where(r => r.Segments.Count == 0 || r.Segments.Contains(segment, StringComparer.OrdinalIgnoreCase))
            .Where(r => string.IsNullOrEmpty(r.Interest) || (interest?.Contains(r.Interest, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderByDescending(r => (r.Stages.Count > 0 ? 1 : 0) + (r.Segments.Count > 0 ? 1 : 0) + (string.IsNullOrEmpty(r.Interest) ? 0 : 1))
            .Select(r => new LeadScript(r.Id, r.Text.Replace("{interest}", interest ?? "sản phẩm", StringComparison.Ordinal)))
            .FirstOrDefault();

    /// <summary>The alert card for a new lead.</summary>
    public static LeadCard Card(string leadId, LeadRequest request, IEnumerable<ScriptRule> scripts, DateTimeOffset now)
    {
        var (lead, facts) = (request.Snapshot, request.Facts);
        return new LeadCard
        {
            LeadId = leadId,
            ProfileId = lead.ProfileId,
            Team = request.Team,
            Name = lead.Name,
            MaskedPhone = lead.MaskedPhone,
            Score = ScoreCard.Display(lead.RawScore),
            Reasons = lead.TopReasons,
            Stage = facts.Stage,
            Trigger = request.Trigger,
            LastAd = facts.LastAd,
            LastPages = facts.LastPages,
            LastStoreId = facts.LastStoreId ?? lead.StoreId,
            Interest = facts.Interest,
            Segment = facts.Segment,
            Script = ScriptFor(facts.Stage, facts.Interest, facts.Segment, scripts),
            ContactConsent = facts.ContactConsent ?? [],
            RaisedAt = now,
            MasterChannel = facts.MasterChannel,
        };
    }

    private static IEnumerable<Touchpoint> NewestFirst(List<Touchpoint> timeline)
    {
        for (var i = timeline.Count - 1; i >= 0; i--)
        {
            yield return timeline[i];
        }
    }

    /// <summary>The last path segment, as a product or category slug.</summary>
    private static string Slug(string detail)
    {
        var path = detail.Split('?', 2)[0].TrimEnd('/');
        var at = path.LastIndexOf('/');
        return at >= 0 ? path[(at + 1)..] : path;
    }
}
