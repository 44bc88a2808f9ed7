namespace O2O.AppHost;

/// <summary>Resource and hub names the services find their configuration under (<c>ConnectionStrings:&lt;name&gt;</c>).</summary>
internal static class Names
{
    public const string Redis = "redis";
    public const string Tables = "tables";
    public const string EventHubs = "eventhubs";
    public const string EventsHub = "o2o-events";
    public const string DeadLetterHub = "o2o-events-deadletter";
    public const string ConsumerGroup = "o2o-silo";
}
