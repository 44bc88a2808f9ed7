namespace O2O.Grains.Messaging;

/// <summary>
/// One message sent to a person: channel, purpose, status, cost, and whether its link was opened.
/// Key: <c>{tenant}/{message id}</c> (the id the provider echoes back in delivery reports).
/// </summary>
public interface IMessageGrain : IGrainWithStringKey
{
    /// <summary>Records the send's outcome.</summary>
    Task RecordAsync(MessageRecord record);

    /// <summary>A delivery report from the provider; true the first time it changes the status.</summary>
    Task<bool> DeliveryReportAsync(bool delivered, DateTimeOffset at);

    /// <summary>The message's link was opened; true the first time.</summary>
    Task<bool> ClickedAsync(DateTimeOffset at);

    Task<MessageRecord?> GetAsync();
}

[GenerateSerializer, Immutable, Alias("o2o.message-record")]
public sealed record MessageRecord
{
    [Id(0)] public required string Channel { get; init; }
    [Id(1)] public required string Purpose { get; init; }
    [Id(2)] public required string Status { get; init; }
    [Id(3)] public required long CostVnd { get; init; }
    [Id(4)] public string? ProviderMessageId { get; init; }
    [Id(5)] public string? ErrorCode { get; init; }
    [Id(6)] public bool Retryable { get; init; }
    [Id(7)] public required DateTimeOffset At { get; init; }
    [Id(8)] public int Attempts { get; init; }
    /// <summary>The order the message is about, if any.</summary>
    [Id(9)] public string? OrderId { get; init; }
    [Id(10)] public DateTimeOffset? DeliveredAt { get; init; }
    [Id(11)] public DateTimeOffset? ClickedAt { get; init; }
}

/// <summary>Whether a person asked not to be contacted on one address. Key: <c>{tenant}/{phone or email}</c>.</summary>
public interface IContactPreferenceGrain : IGrainWithStringKey
{
    Task SetOptedOutAsync(bool optedOut, DateTimeOffset at);

    Task<bool> IsOptedOutAsync();
}
