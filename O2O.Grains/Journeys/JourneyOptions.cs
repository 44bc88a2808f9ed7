using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Journeys;

/// <summary>Journey sending rules, tracked links and channels (section <c>O2O:Journeys</c>).</summary>
public sealed class JourneyOptions
{
    public const string Section = "O2O:Journeys";

    /// <summary>Messages one person may get across every channel and journey within <see cref="FrequencyWindow"/>.</summary>
    [Range(1, 100)] public int FrequencyCap { get; set; } = 2;

    [Range(typeof(TimeSpan), "1.00:00:00", "90.00:00:00")]
    public TimeSpan FrequencyWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Local time (the store's) from which no message goes out...</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:00")]
    public TimeSpan QuietFrom { get; set; } = TimeSpan.FromHours(21);

    /// <summary>...until this local time, when delayed messages go.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:00")]
    public TimeSpan QuietUntil { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A response (click, reply, visit, purchase) this soon after a message counts for that message's channel.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "60.00:00:00")]
    public TimeSpan ResponseWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many messages' worth of weight the tenant's channel response rates carry in each person's master channel.</summary>
    [Range(0.1, 1000)] public double PriorStrength { get; set; } = 4;

    /// <summary>Where tracked links point: the public address of O2O.Api.</summary>
    [Required, Url] public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>HMAC key that signs tracked and unsubscribe links. Set your own secret in production.</summary>
    [Required, MinLength(32)] public string LinkKey { get; set; } = "o2o-development-link-key-not-for-production";

    /// <summary>The approved ZNS template journey messages on Zalo use unless a step names its own.</summary>
    public string? ZaloTemplateId { get; set; }

    /// <summary>Cost per message in VND, by channel, until the provider reports what it charged.</summary>
    [Range(0, 1_000_000)] public long EmailCost { get; set; } = 20;
    [Range(0, 1_000_000)] public long SmsCost { get; set; } = 750;
    [Range(0, 1_000_000)] public long ZaloCost { get; set; } = 300;
    [Range(0, 1_000_000)] public long ViberCost { get; set; } = 450;
    [Range(0, 1_000_000)] public long WebPushCost { get; set; }

    public long CostOf(MessageChannel channel) => channel switch
    {
        MessageChannel.Email => EmailCost,
        MessageChannel.Sms => SmsCost,
        MessageChannel.Zalo => ZaloCost,
        MessageChannel.Viber => ViberCost,
        _ => WebPushCost,
    };
}
