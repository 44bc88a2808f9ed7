using Orleans.Concurrency;

namespace O2O.Grains.Journeys;

/// <summary>
/// One person's place in every journey, the messages they got, their response per channel and
/// their unsubscribes: everything the never-spam rules need sits in one grain, so they hold across
/// journeys and channels without asking anyone. Key: <c>{tenant}/{profileId}</c>.
/// </summary>
public interface IPersonJourneysGrain : IGrainWithStringKey
{
    /// <summary>Starts a journey for the person unless they are already in it.</summary>
    [OneWay]
    Task EnterAsync(string journeyId);

    /// <summary>Runs whatever step is due; <paramref name="bucket"/> is the wheel bucket being run.</summary>
    Task WakeAsync(long bucket);

    /// <summary>
    /// What the person did (replied, visited, purchased), from their profile's events: a delivery of
    /// the profile's outbox, applied once per <paramref name="deliveryId"/>.
    /// </summary>
    Task ObserveAsync(string deliveryId, IReadOnlyList<NurtureSignal> signals);

    /// <summary>A tracked link was opened. Null when the message or link is unknown.</summary>
    Task<ClickResult?> ClickAsync(int message, int link);

    /// <summary>The unsubscribe link of a message was opened: that channel stops at once. Null when the message is unknown.</summary>
    Task<MessageChannel?> UnsubscribeAsync(int message);

    /// <summary>The person was erased: every place, message and response is dropped; nothing more is sent.</summary>
    Task ForgetAsync();

    /// <summary>Places, messages, master channel.</summary>
    [AlwaysInterleave]
    Task<PersonJourneysView> GetAsync();
}

/// <summary>Something a nurtured person did that journeys respond to.</summary>
[GenerateSerializer, Immutable, Alias("o2o.nurture-signal")]
public sealed record NurtureSignal(
    [property: Id(0)] Response Kind,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] long Revenue);

/// <summary>Where a tracked link goes, and what the click tells the profile.</summary>
[GenerateSerializer, Immutable, Alias("o2o.click-result")]
public sealed record ClickResult(
    [property: Id(0)] string Url,
    [property: Id(1)] string JourneyId,
    [property: Id(2)] string StepId,
    [property: Id(3)] MessageChannel Channel,
    [property: Id(4)] string? Phone,
    [property: Id(5)] string? Email);

public enum PlaceStatus : byte
{
    Active = 0,
    GoalReached = 1,
    GaveUp = 2,
    Finished = 3,
    Stopped = 4,
}

public enum DeliveryStatus : byte
{
    /// <summary>Recorded as sent before the provider was called: never sent twice, even across a crash.</summary>
    Sending = 0,
    Delivered = 1,
    Failed = 2,
    Suppressed = 3,
}

[GenerateSerializer, Immutable, Alias("o2o.journey-place-view")]
public sealed record JourneyPlaceView(
    [property: Id(0)] string JourneyId,
    [property: Id(1)] string? StepId,
    [property: Id(2)] PlaceStatus Status,
    [property: Id(3)] DateTimeOffset? WakeAt,
    [property: Id(4)] int Unanswered);

[GenerateSerializer, Immutable, Alias("o2o.message-view")]
public sealed record MessageView(
    [property: Id(0)] int Seq,
    [property: Id(1)] string JourneyId,
    [property: Id(2)] string StepId,
    [property: Id(3)] MessageChannel Channel,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] DeliveryStatus Status,
    [property: Id(6)] SuppressReason? Reason,
    [property: Id(7)] long Cost);

[GenerateSerializer, Immutable, Alias("o2o.person-journeys-view")]
public sealed record PersonJourneysView(
    [property: Id(0)] IReadOnlyList<JourneyPlaceView> Places,
    [property: Id(1)] IReadOnlyList<MessageView> Messages,
    [property: Id(2)] MessageChannel? MasterChannel,
    [property: Id(3)] IReadOnlyList<MessageChannel> Unsubscribed);
