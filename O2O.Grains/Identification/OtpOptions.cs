using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Identification;

/// <summary>One-time codes that prove a phone number (section <c>O2O:Otp</c>).</summary>
public sealed class OtpOptions
{
    public const string Section = "O2O:Otp";

    [Range(typeof(TimeSpan), "00:01:00", "00:30:00")] public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Wrong codes allowed per phone before it is locked.</summary>
    [Range(1, 20)] public int MaxAttempts { get; set; } = 5;
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")] public TimeSpan LockFor { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Time before another code may be sent to the same phone.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")] public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Codes per phone per <see cref="Window"/>.</summary>
    [Range(1, 50)] public int MaxSendsPerPhone { get; set; } = 5;
    /// <summary>Codes one client (IP address) may ask for per <see cref="Window"/>, whatever the phones.</summary>
    [Range(1, 1000)] public int MaxSendsPerClient { get; set; } = 10;
    /// <summary>Code checks one client may make per <see cref="Window"/>, whatever the phones.</summary>
    [Range(1, 1000)] public int MaxChecksPerClient { get; set; } = 30;
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")] public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}
