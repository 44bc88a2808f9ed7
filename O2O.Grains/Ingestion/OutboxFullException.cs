namespace O2O.Grains.Ingestion;

/// <summary>
/// Some people's events were held back: their profiles owe the aggregates as much as they may
/// (<see cref="Profiles.ProfileOptions.MaxOwedDeliveries"/>). What they owed has been delivered by
/// the time this is thrown, so the feed's retry of the same batch applies them. Transient by
/// design (<see cref="ApplyPolicy"/> retries it with backoff and holds the partition): the events
/// wait, they are never dead-lettered or dropped.
/// </summary>
public sealed class OutboxFullException(int heldBack, int people)
    : Exception($"{heldBack} events of {people} people were held back until their profiles' owed deliveries are taken")
{
    public int HeldBack { get; } = heldBack;
}
