using System.Text.Json;
using System.Text.Json.Serialization;

namespace O2O.Grains.Events;

/// <summary>
/// The wire form of a <see cref="CustomerEvent"/> on the event hub: UTF-8 JSON in a versioned
/// envelope, <c>{"v":1,"event":{...}}</c>, written by source-generated code (no reflection).
/// A consumer refuses versions it does not know instead of guessing at their meaning.
/// </summary>
public static class EventJson
{
    /// <summary>The envelope version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Kafka header carrying the envelope version, so a reader can route without parsing.</summary>
    public const string VersionHeader = "o2o-schema";

    /// <summary>Kafka header carrying the W3C trace parent of the request that accepted the event.</summary>
    public const string TraceParentHeader = "traceparent";

    public static byte[] Serialize(CustomerEvent e) =>
        JsonSerializer.SerializeToUtf8Bytes(new EventEnvelope(Version, e), EventJsonContext.Default.EventEnvelope);

    /// <summary>Reads an envelope; on failure says why in words fit for a dead-letter reason.</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> utf8, out CustomerEvent? e, out string? reason)
    {
        e = null;
        if (utf8.IsEmpty)
        {
            reason = "empty message";
            return false;
        }
        EventEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(utf8, EventJsonContext.Default.EventEnvelope);
        }
        catch (JsonException ex)
        {
            reason = $"not a valid event envelope: {ex.Message}";
            return false;
        }
        reason = envelope switch
        {
            null => "not a valid event envelope: null",
            { V: not Version } => $"unsupported envelope version {envelope.V} (this build reads {Version})",
            { Event: null } => "the envelope has no event",
            { Event.MessageId.Length: 0 } => "event.messageId is empty",
            { Event.Tenant.Length: 0 } => "event.tenant is empty",
            _ when !Enum.IsDefined(envelope.Event.Type) => $"event.type {(int)envelope.Event.Type} is unknown",
            _ => null,
        };
        e = reason is null ? envelope!.Event : null;
        return reason is null;
    }
}

/// <summary>The versioned wrapper around one event.</summary>
public sealed record EventEnvelope(
    [property: JsonPropertyName("v")] int V,
    [property: JsonPropertyName("event")] CustomerEvent? Event);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(EventEnvelope))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
