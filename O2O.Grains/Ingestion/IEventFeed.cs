using O2O.Grains.Events;

namespace O2O.Grains.Ingestion;

/// <summary>
/// Where accepted events go on their way to the grains. Partitioned by
/// <see cref="CustomerEvent.RoutingKey"/>, so one person's events are applied in order.
/// The in-process feed is the default; the Event Hubs feed replaces it when configured.
/// </summary>
public interface IEventFeed
{
    /// <summary>
    /// Hands events to the feed. Completes once the feed holds them (for a durable feed: once
    /// stored), or refuses the whole batch when it is full, saying when to try again.
    /// </summary>
    ValueTask<FeedAdmission> PublishAsync(IReadOnlyList<CustomerEvent> events, CancellationToken cancellationToken);
}

/// <summary>The feed's answer: accepted, or full with a hint when to retry.</summary>
public readonly record struct FeedAdmission(bool Accepted, TimeSpan RetryAfter)
{
    public static readonly FeedAdmission Ok = new(true, TimeSpan.Zero);

    public static FeedAdmission Full(TimeSpan retryAfter) => new(false, retryAfter);
}
