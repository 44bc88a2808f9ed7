using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

/// <summary>How a consultant's outcome moves a person's funnel and score. Pure.</summary>
public static class LeadOutcomes
{
    /// <summary>The timeline name outcomes are recorded under.</summary>
    public const string TimelineName = "Lead Outcome";

    /// <summary>The funnel stage an outcome proves the person reached.</summary>
    public static FunnelStage StageOf(LeadOutcome outcome) => outcome switch
    {
        LeadOutcome.Contacted or LeadOutcome.AppointmentBooked => FunnelStage.Contacted,
        LeadOutcome.VisitedStore => FunnelStage.StoreVisited,
        LeadOutcome.Purchased => FunnelStage.Purchased,
        _ => FunnelStage.None,
    };

    /// <summary>True when the outcome ends the lead.</summary>
    public static bool Closes(LeadOutcome outcome) => outcome is LeadOutcome.Purchased or LeadOutcome.Lost;

    public static void Apply(ProfileState s, LeadOutcome outcome, string? lostReason, string? storeId, DateTimeOffset at, ScoringOptions scoring, int timelineSize)
    {
        var stage = StageOf(outcome);
        if (stage != FunnelStage.None)
        {
            var i = FunnelStages.IndexOf(stage);
            s.StageTimes[i] ??= at;
        }
        // A lost lead keeps its history but stops ranking as hot; anything else is a signal of intent.
        var points = outcome switch
        {
            LeadOutcome.Contacted => 5,
            LeadOutcome.AppointmentBooked => 15,
            LeadOutcome.VisitedStore => 20,
            LeadOutcome.Purchased => 10,
            _ => -s.Score.RawAt(at, scoring.HalfLife) / 2,
        };
        s.Score.Add(ScoreReason.ConsultantOutcome, points, at, scoring.HalfLife);
        var detail = outcome == LeadOutcome.Lost && !string.IsNullOrWhiteSpace(lostReason) ? $"{outcome}: {lostReason}" : outcome.ToString();
        ProfileProjection.AddToTimeline(s.Timeline, new Touchpoint(at, EventType.Track, TimelineName, detail, null, SharedStrings.Intern(storeId)), timelineSize);
    }
}
