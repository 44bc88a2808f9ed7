using System.Text.Json;
using O2O.Api.Ingestion;
using O2O.Grains.Consent;

namespace O2O.Api.Privacy;

/// <summary>
/// Reads a consent object, as <c>context.consent</c> of any Segment call, the properties of a
/// <c>track("Consent Updated")</c>, or the body of <c>POST /v1/consents</c>:
/// <code>
/// {"source": "web_form", "wordingVersion": "dk-2026-01",
///  "purposes": {"analytics": true, "marketing": {"email": true, "sms": false, "zalo": true}, "ad_sharing": false}}
/// </code>
/// A purpose set to true or false covers all its channels; an object decides channel by channel.
/// </summary>
public static class ConsentJson
{
    public const string ConsentUpdated = "Consent Updated";
    private const int MaxWordingVersion = 64;

    /// <summary>The changes the object carries, or the first field that is wrong (named under <paramref name="field"/>).</summary>
    public static (IReadOnlyList<ConsentChange>? Changes, FieldError? Error) Parse(JsonElement consent, string field)
    {
        if (consent.ValueKind != JsonValueKind.Object)
        {
            return (null, new FieldError(field, "must be an object"));
        }
        if (!Text(consent, "source", out var sourceName) || !ConsentNames.Sources.TryGetValue(sourceName, out var source))
        {
            return (null, new FieldError(field + ".source", $"must be one of {string.Join(", ", ConsentNames.Sources.Keys)}"));
        }
        if (!Text(consent, "wordingVersion", out var wording) || wording.Length > MaxWordingVersion)
        {
            return (null, new FieldError(field + ".wordingVersion", $"is required: the version of the consent text the person was shown (at most {MaxWordingVersion} characters)"));
        }
        if (!consent.TryGetProperty("purposes", out var purposes) || purposes.ValueKind != JsonValueKind.Object)
        {
            return (null, new FieldError(field + ".purposes", "must be an object of purpose: true|false|{channel: true|false}"));
        }
        var changes = new List<ConsentChange>();
        foreach (var purpose in purposes.EnumerateObject())
        {
            var at = $"{field}.purposes.{purpose.Name}";
            if (!ConsentNames.Purposes.TryGetValue(purpose.Name, out var p))
            {
                return (null, new FieldError(at, $"is not a purpose: use {string.Join(", ", ConsentNames.Purposes.Keys)}"));
            }
            if (purpose.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                changes.Add(new ConsentChange(p, ConsentChannel.All, purpose.Value.GetBoolean(), source, wording));
                continue;
            }
            if (purpose.Value.ValueKind != JsonValueKind.Object || p != ConsentPurpose.Marketing)
            {
                return (null, new FieldError(at, p == ConsentPurpose.Marketing ? "must be true, false or an object of channel: true|false" : "must be true or false"));
            }
            foreach (var channel in purpose.Value.EnumerateObject())
            {
                if (!ConsentNames.Channels.TryGetValue(channel.Name, out var c))
                {
                    return (null, new FieldError($"{at}.{channel.Name}", $"is not a channel: use {string.Join(", ", ConsentNames.Channels.Keys)}"));
                }
                if (channel.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return (null, new FieldError($"{at}.{channel.Name}", "must be true or false"));
                }
                changes.Add(new ConsentChange(p, c, channel.Value.GetBoolean(), source, wording));
            }
        }
        return changes.Count == 0
            ? (null, new FieldError(field + ".purposes", "names no purpose"))
            : (changes, null);
    }

    private static bool Text(JsonElement json, string name, out string value)
    {
        value = json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : "";
        return value.Length > 0;
    }
}
