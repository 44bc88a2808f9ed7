using Orleans.Concurrency;

namespace O2O.Grains.Journeys;

/// <summary>
/// One journey of one tenant: its definition and its funnel. Key: <c>{tenant}/{journey id}</c>.
/// </summary>
public interface IJourneyGrain : IGrainWithStringKey
{
    /// <summary>Stores a new version; switching on or changing the audience re-wires who enters.</summary>
    Task<JourneyDefinition> SaveAsync(JourneyDefinition definition);

    /// <summary>The definition, or null when none was saved.</summary>
    [AlwaysInterleave]
    Task<JourneyDefinition?> GetDefinitionAsync();

    /// <summary>The funnel: entered, messaged, clicked, visited, purchased, goal, gave up; revenue, cost, suppressions.</summary>
    Task<JourneyReport?> GetReportAsync();

    /// <summary>Adds what one person's progress changed.</summary>
    [OneWay]
    Task RecordAsync(JourneyTally tally);
}

/// <summary>The journeys of a tenant. Key: tenant.</summary>
public interface IJourneyCatalogGrain : IGrainWithStringKey
{
    Task AddAsync(string journeyId);

    Task<IReadOnlyList<string>> ListAsync();
}

/// <summary>Messages and responses per channel over a whole tenant: the prior of everyone's master channel. Key: tenant.</summary>
public interface IChannelPriorGrain : IGrainWithStringKey
{
    [OneWay]
    Task RecordAsync(MessageChannel channel, int sent, int responded);

    [AlwaysInterleave]
    Task<IReadOnlyDictionary<MessageChannel, ChannelTally>> GetAsync();
}

/// <summary>What one person's step changed in a journey's funnel (each person counted once per step).</summary>
[GenerateSerializer, Immutable, Alias("o2o.journey-tally")]
public sealed record JourneyTally
{
    [Id(0)] public int Entered { get; init; }
    [Id(1)] public int Messaged { get; init; }
    [Id(2)] public int Clicked { get; init; }
    [Id(3)] public int Visited { get; init; }
    [Id(4)] public int Purchased { get; init; }
    [Id(5)] public int GoalReached { get; init; }
    [Id(6)] public int GaveUp { get; init; }
    [Id(7)] public int Messages { get; init; }
    [Id(8)] public long Revenue { get; init; }
    [Id(9)] public long Cost { get; init; }
    [Id(10)] public SuppressReason? Suppressed { get; init; }
    [Id(11)] public int Delivered { get; init; }
    [Id(12)] public int Failed { get; init; }
    [Id(13)] public int Finished { get; init; }
    [Id(14)] public int Leads { get; init; }
}

[GenerateSerializer, Immutable, Alias("o2o.journey-report")]
public sealed record JourneyReport
{
    [Id(0)] public required JourneyDefinition Definition { get; init; }
    [Id(1)] public int Entered { get; init; }
    [Id(2)] public int Messaged { get; init; }
    [Id(3)] public int Clicked { get; init; }
    [Id(4)] public int Visited { get; init; }
    [Id(5)] public int Purchased { get; init; }
    [Id(6)] public int GoalReached { get; init; }
    [Id(7)] public int GaveUp { get; init; }
    [Id(8)] public int Finished { get; init; }
    [Id(9)] public int Messages { get; init; }
    [Id(10)] public int Delivered { get; init; }
    [Id(11)] public int Failed { get; init; }
    [Id(12)] public long Revenue { get; init; }
    [Id(13)] public long Cost { get; init; }
    [Id(14)] public IReadOnlyDictionary<SuppressReason, int> Suppressed { get; init; } = new Dictionary<SuppressReason, int>();
    [Id(15)] public int Leads { get; init; }

    /// <summary>Message cost per person who came back to a store.</summary>
    public long? CostPerVisit => Visited > 0 ? Cost / Visited : null;
}
