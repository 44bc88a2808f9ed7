namespace O2O.Grains.Identification;

/// <summary>
/// The one-time codes of one phone number: at most one live code, stored only as a salted hash,
/// expiring, with wrong attempts and sends counted per phone. Key: <c>{tenant}/{E.164 phone}</c>.
/// </summary>
public interface IOtpGrain : IGrainWithStringKey
{
    /// <summary>A new 6-digit code for <paramref name="purpose"/> (the order it unlocks), or why not now.</summary>
    Task<OtpIssue> IssueAsync(string purpose);

    /// <summary>Checks a code for <paramref name="purpose"/>; a right code is used up.</summary>
    Task<OtpCheck> VerifyAsync(string purpose, string code);
}

[GenerateSerializer, Immutable, Alias("o2o.otp-issue")]
public sealed record OtpIssue(
    [property: Id(0)] string? Code,
    [property: Id(1)] string? Refusal,
    [property: Id(2)] TimeSpan RetryAfter);

public enum OtpOutcome : byte
{
    Verified = 1,
    Wrong = 2,
    Expired = 3,
    Locked = 4,
    NoCode = 5,
}

[GenerateSerializer, Immutable, Alias("o2o.otp-check")]
public sealed record OtpCheck(
    [property: Id(0)] OtpOutcome Outcome,
    [property: Id(1)] int AttemptsLeft,
    [property: Id(2)] TimeSpan RetryAfter);

[GenerateSerializer, Alias("o2o.otp-state")]
public sealed class OtpState
{
    [Id(0)] public byte[]? Hash { get; set; }
    [Id(1)] public byte[]? Salt { get; set; }
    [Id(2)] public string? Purpose { get; set; }
    [Id(3)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(4)] public int WrongAttempts { get; set; }
    [Id(5)] public DateTimeOffset? LockedUntil { get; set; }
    [Id(6)] public List<DateTimeOffset> Sends { get; set; } = [];
}

/// <summary>Counts uses of something per client within a window (codes asked, codes checked). Key: <c>{tenant}/{what}/{client}</c>.</summary>
public interface IRateGateGrain : IGrainWithStringKey
{
    /// <summary>Takes one use if fewer than <paramref name="limit"/> were taken within <paramref name="window"/>; else says when to retry.</summary>
    Task<(bool Allowed, TimeSpan RetryAfter)> TryTakeAsync(int limit, TimeSpan window);
}
