using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using O2O.Grains.AdExport;
using O2O.Grains.Attribution;

namespace O2O.Api.Exports;

/// <summary>
/// Writes store visits and purchases in the forms the ad platforms take offline conversions in, with
/// contact points normalised by each platform's published rules and SHA-256 hashed (lower-case hex):
/// <list type="bullet">
/// <item>Meta Conversions API (<c>action_source: physical_store</c>): phone as digits with the country
/// code and no '+' (<c>84901234567</c>), email trimmed and lower-cased; <c>fbc</c> built from the fbclid.</item>
/// <item>Google Ads offline conversion import with user-provided data (CSV): phone in E.164 with '+'
/// (<c>+84901234567</c>), email trimmed and lower-cased; the gclid as is.</item>
/// </list>
/// Pure: the API hands it the people who allow sharing, it returns the file.
/// </summary>
public static class AdPlatformFormats
{
    public const string Currency = "VND";
    public const string MetaVisitEvent = "StoreVisit";
    public const string GoogleVisitConversion = "Store visit";
    public const string GooglePurchaseConversion = "Store purchase";

    /// <summary>The SHA-256 of <paramref name="value"/>'s UTF-8 bytes, as lower-case hex.</summary>
    public static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Meta's phone form: digits only, country code first (an E.164 number without its '+').</summary>
    public static string MetaPhone(string e164) => new([.. e164.Where(char.IsAsciiDigit)]);

    /// <summary>Google's phone form: E.164 with the leading '+'.</summary>
    public static string GooglePhone(string e164) => "+" + MetaPhone(e164);

    /// <summary>Both platforms' email form: trimmed and lower-cased.</summary>
    public static string Email(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Meta's click id parameter: <c>fb.1.{click time in ms}.{fbclid}</c>.</summary>
    public static string Fbc(string fbclid, DateTimeOffset clickAt) =>
        string.Create(CultureInfo.InvariantCulture, $"fb.1.{clickAt.ToUnixTimeMilliseconds()}.{fbclid}");

    /// <summary>The Conversions API request body (<c>{"data": [...]}</c>) for these people's conversions.</summary>
    public static string MetaOfflineEvents(IEnumerable<AdExportPerson> people)
    {
        var data = new List<MetaEvent>();
        foreach (var person in people)
        {
            var phone = person.Phone is { } p ? new[] { Sha256(MetaPhone(p)) } : null;
            var email = person.Email is { } e ? new[] { Sha256(Email(e)) } : null;
            foreach (var c in person.Conversions)
            {
                var fbc = c is { ClickIdType: "fbclid", ClickId: { } id, ClickAt: { } at } ? Fbc(id, at) : null;
                if (phone is null && email is null && fbc is null)
                {
                    continue;
                }
                data.Add(new MetaEvent(
                    c.Kind == ConversionKind.Purchase ? "Purchase" : MetaVisitEvent,
                    c.At.ToUnixTimeSeconds(),
                    c.EventId,
                    "physical_store",
                    new MetaUserData(phone, email, fbc),
                    new MetaCustomData(c.Kind == ConversionKind.Purchase ? c.Value : null, Currency, c.OrderId, c.StoreId)));
            }
        }
        return JsonSerializer.Serialize(new MetaPayload(data), MetaJson);
    }

    /// <summary>
    /// The Google Ads offline conversions CSV (user-provided data and gclid): one row per conversion,
    /// conversion time with the Vietnam offset (<c>yyyy-MM-dd HH:mm:ss+07:00</c>).
    /// </summary>
    public static string GoogleOfflineCsv(IEnumerable<AdExportPerson> people)
    {
        var csv = new StringBuilder("Google Click ID,Email,Phone Number,Conversion Name,Conversion Time,Conversion Value,Conversion Currency,Order ID\n");
        foreach (var person in people)
        {
            var phone = person.Phone is { } p ? Sha256(GooglePhone(p)) : "";
            var email = person.Email is { } e ? Sha256(Email(e)) : "";
            foreach (var c in person.Conversions)
            {
                var gclid = c is { ClickIdType: "gclid", ClickId: { } id } ? id : "";
                if (phone.Length == 0 && email.Length == 0 && gclid.Length == 0)
                {
                    continue;
                }
                var purchase = c.Kind == ConversionKind.Purchase;
                csv.Append(Field(gclid)).Append(',').Append(email).Append(',').Append(phone).Append(',')
                    .Append(purchase ? GooglePurchaseConversion : GoogleVisitConversion).Append(',')
                    .Append(c.At.ToOffset(ReportCalendar.Offset).ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture)).Append(',')
                    .Append(purchase ? c.Value.ToString(CultureInfo.InvariantCulture) : "0").Append(',')
                    .Append(Currency).Append(',')
                    .Append(Field(c.OrderId ?? "")).Append('\n');
            }
        }
        return csv.ToString();
    }

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static readonly JsonSerializerOptions MetaJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private sealed record MetaPayload(IReadOnlyList<MetaEvent> Data);

    private sealed record MetaEvent(string EventName, long EventTime, string EventId, string ActionSource, MetaUserData UserData, MetaCustomData CustomData);

    private sealed record MetaUserData(
        [property: JsonPropertyName("ph")] string[]? Phone,
        [property: JsonPropertyName("em")] string[]? Email,
        [property: JsonPropertyName("fbc")] string? Fbc);

    private sealed record MetaCustomData(long? Value, string Currency, string? OrderId, [property: JsonPropertyName("store_id")] string StoreId);
}
