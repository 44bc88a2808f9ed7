namespace O2O.Grains.Segments;

/// <summary>
/// What segments and journeys keep on a profile, in one place: the facts the segment rules read,
/// the channel the person responds to best, and whether they have been in a journey.
/// </summary>
[GenerateSerializer, Alias("o2o.profile-nurture")]
public sealed class ProfileNurture
{
    [Id(0)] public SegmentFacts Segments { get; set; } = new();
    /// <summary>The channel this person responds to best, as their journeys last learned it.</summary>
    [Id(1)] public Journeys.MessageChannel? MasterChannel { get; set; }
    /// <summary>The person has been in a journey: their responses (visits, purchases, replies) go to it.</summary>
    [Id(2)] public bool InJourneys { get; set; }
}
