using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace O2O.Silo.EventHubs;

/// <summary>
/// Event Hubs ingestion settings (section <c>O2O:EventHubs</c>); the address and credentials come from
/// <c>ConnectionStrings:eventhubs</c> and are checked with these at start.
/// </summary>
public sealed class EventHubsOptions
{
    public const string Section = "O2O:EventHubs";

    /// <summary>The event hub (Kafka topic) events travel on. Defaults to the connection string's EntityPath.</summary>
    [Required] public string Hub { get; set; } = "o2o-events";

    /// <summary>Consumer group of the silos draining the hub (Kafka group.id).</summary>
    [Required] public string ConsumerGroup { get; set; } = "o2o-silo";

    /// <summary>The hub that receives events that could not be parsed or were refused for good.</summary>
    [Required] public string DeadLetterHub { get; set; } = "o2o-events-deadletter";

    /// <summary>Events a lane applies per grain round.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 1_000;

    /// <summary>
    /// Batches of one partition applied at once. Messages are spread over the lanes by their key (the
    /// person), so each person's events keep the order the partition gave them.
    /// </summary>
    [Range(1, 64)] public int LanesPerPartition { get; set; } = 4;

    /// <summary>
    /// How often each partition checkpoints behind the hub: profiles apply its events in memory, and
    /// at most this often (and when the partition is given up or the silo stops) every profile it
    /// touched writes its state and delivers what it owes the aggregates; only then is the offset
    /// committed. A silo that dies costs a replay of at most about this much of each of its
    /// partitions. Zero writes every batch before its offset counts (one profile write per person per batch).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")] public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often applied (or, checkpointed, stored) offsets are committed (also on rebalance and shutdown).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")] public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the hub may hold a fetch that finds no new events (Kafka <c>fetch.wait.max.ms</c>). A
    /// broker answers as soon as events arrive, so this bounds idle polling, not latency. librdkafka's
    /// mock cluster (tests, benchmarks) is the exception: it holds every empty fetch this long even when
    /// events arrive meanwhile, so those set it to a few milliseconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")] public TimeSpan FetchWaitMax { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long the group waits for a silent member before its partitions move on (Kafka
    /// <c>session.timeout.ms</c>; Event Hubs accepts 6 s to 300 s). Shorter means a killed silo's
    /// partitions stall for less; heartbeats go every third of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:06", "00:05:00")] public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Static group membership (Kafka <c>group.instance.id</c>), unique per silo and stable across its
    /// restarts; unset by default (see README: Reliability).
    /// </summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>Producer: events published and not yet acknowledged, at most; beyond it the Api answers 503.</summary>
    [Range(100, 10_000_000)] public int MaxInFlightEvents { get; set; } = 200_000;

    /// <summary>Producer: how long a message may wait to be batched with others.</summary>
    [Range(0, 1_000)] public int LingerMs { get; set; } = 5;

    /// <summary>Producer: how long a message may take to be acknowledged before the publish fails.</summary>
    [Range(1_000, 300_000)] public int DeliveryTimeoutMs { get; set; } = 30_000;

    /// <summary>The connection string as configured; filled from <c>ConnectionStrings:eventhubs</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The parsed connection; valid once the options have been validated.</summary>
    public EventHubsConnection ParseConnection() => EventHubsConnection.Parse(ConnectionString);
}

/// <summary>Fills the connection string and the hub name from the connection string's EntityPath.</summary>
internal sealed class EventHubsOptionsSetup(IConfiguration configuration) : IPostConfigureOptions<EventHubsOptions>
{
    public void PostConfigure(string? name, EventHubsOptions options)
    {
        options.ConnectionString ??= configuration.GetConnectionString(EventHubsConnection.ConnectionName);
        if (configuration[$"{EventHubsOptions.Section}:Hub"] is null
            && EventHubsConnection.TryParse(options.ConnectionString, out var connection, out _)
            && connection!.EntityPath is { } hub)
        {
            options.Hub = hub;
        }
    }
}

/// <summary>Checks what data annotations cannot: the connection string and the hub names.</summary>
internal sealed partial class EventHubsOptionsValidator : IValidateOptions<EventHubsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventHubsOptions options)
    {
        var failures = new List<string>();
        if (!EventHubsConnection.TryParse(options.ConnectionString, out _, out var error))
        {
            failures.Add(error!);
        }
        CheckHubName(nameof(EventHubsOptions.Hub), options.Hub, failures);
        CheckHubName(nameof(EventHubsOptions.DeadLetterHub), options.DeadLetterHub, failures);
        if (string.Equals(options.Hub, options.DeadLetterHub, StringComparison.Ordinal))
        {
            failures.Add($"{EventHubsOptions.Section}:DeadLetterHub must differ from Hub ('{options.Hub}').");
        }
        if (string.IsNullOrWhiteSpace(options.ConsumerGroup))
        {
            failures.Add($"{EventHubsOptions.Section}:ConsumerGroup is empty.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckHubName(string field, string? value, List<string> failures)
    {
        if (value is null || !HubName().IsMatch(value))
        {
            failures.Add($"{EventHubsOptions.Section}:{field} '{value}' is not a valid event hub name (1-256 letters, digits, '.', '_' or '-').");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$")]
    private static partial Regex HubName();
}
