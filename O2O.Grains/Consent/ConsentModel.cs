namespace O2O.Grains.Consent;

/// <summary>What a person may agree to, each separately (Decree 13/2023/ND-CP: consent per purpose).</summary>
public enum ConsentPurpose : byte
{
    /// <summary>Measuring behaviour on the website and in stores to build the profile and reports.</summary>
    Analytics = 1,
    /// <summary>Personalised marketing messages, per channel.</summary>
    Marketing = 2,
    /// <summary>Sharing hashed contact points and conversions with ad platforms (Meta, Google).</summary>
    AdSharing = 3,
}

/// <summary>How a person may be contacted; <see cref="All"/> covers every channel of a purpose.</summary>
public enum ConsentChannel : byte
{
    All = 0,
    Email = 1,
    Sms = 2,
    Zalo = 3,
    Viber = 4,
    WebPush = 5,
    PhoneCall = 6,
}

/// <summary>Where the person gave or withdrew consent.</summary>
public enum ConsentSource : byte
{
    WebForm = 1,
    PosTablet = 2,
    BillQrPage = 3,
    Consultant = 4,
    Import = 5,
    /// <summary>The person subscribed to the tenant's chatbot (Viber) themselves.</summary>
    Chatbot = 6,
}

/// <summary>
/// One consent decision as the person made it: what, on which channel, given or withdrawn, where,
/// when, and the version of the wording they were shown. Never rewritten: the ledger only appends.
/// <see cref="Evidence"/> is the message id of the event or request that carried it.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.consent-record")]
public sealed record ConsentRecord(
    [property: Id(0)] ConsentPurpose Purpose,
    [property: Id(1)] ConsentChannel Channel,
    [property: Id(2)] bool Granted,
    [property: Id(3)] ConsentSource Source,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string WordingVersion,
    [property: Id(6)] string? Evidence);

/// <summary>A consent change as an event carries it; the event's timestamp is its time.</summary>
[GenerateSerializer, Immutable, Alias("o2o.consent-change")]
public sealed record ConsentChange(
    [property: Id(0)] ConsentPurpose Purpose,
    [property: Id(1)] ConsentChannel Channel,
    [property: Id(2)] bool Granted,
    [property: Id(3)] ConsentSource Source,
    [property: Id(4)] string WordingVersion);

/// <summary>The answer to "may we?": allowed or not, and the record that decides it (null: never asked).</summary>
[GenerateSerializer, Immutable, Alias("o2o.consent-decision")]
public sealed record ConsentDecision([property: Id(0)] bool Allowed, [property: Id(1)] ConsentRecord? Basis)
{
    public static readonly ConsentDecision NeverGiven = new(false, null);
}

/// <summary>Wire names of the consent vocabulary, shared by the ingestion JSON, the API and the README.</summary>
public static class ConsentNames
{
    public static readonly IReadOnlyDictionary<string, ConsentPurpose> Purposes = new Dictionary<string, ConsentPurpose>(StringComparer.OrdinalIgnoreCase)
    {
        ["analytics"] = ConsentPurpose.Analytics,
        ["marketing"] = ConsentPurpose.Marketing,
        ["ad_sharing"] = ConsentPurpose.AdSharing,
    };

    public static readonly IReadOnlyDictionary<string, ConsentChannel> Channels = new Dictionary<string, ConsentChannel>(StringComparer.OrdinalIgnoreCase)
    {
        ["all"] = ConsentChannel.All,
        ["email"] = ConsentChannel.Email,
        ["sms"] = ConsentChannel.Sms,
        ["zalo"] = ConsentChannel.Zalo,
        ["viber"] = ConsentChannel.Viber,
        ["web_push"] = ConsentChannel.WebPush,
        ["phone_call"] = ConsentChannel.PhoneCall,
    };

    public static readonly IReadOnlyDictionary<string, ConsentSource> Sources = new Dictionary<string, ConsentSource>(StringComparer.OrdinalIgnoreCase)
    {
        ["web_form"] = ConsentSource.WebForm,
        ["pos_tablet"] = ConsentSource.PosTablet,
        ["bill_qr"] = ConsentSource.BillQrPage,
        ["consultant"] = ConsentSource.Consultant,
        ["import"] = ConsentSource.Import,
        ["chatbot"] = ConsentSource.Chatbot,
    };
}
