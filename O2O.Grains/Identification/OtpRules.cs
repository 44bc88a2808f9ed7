using System.Security.Cryptography;
using System.Text;

namespace O2O.Grains.Identification;

/// <summary>How codes are issued and checked. Pure but for the random code, so it is tested with a fake clock.</summary>
public static class OtpRules
{
    public static OtpIssue Issue(OtpState s, string purpose, DateTimeOffset now, OtpOptions o)
    {
        if (s.LockedUntil is { } locked && locked > now)
        {
            return new OtpIssue(null, "too many wrong codes for this phone", locked - now);
        }
        s.Sends.RemoveAll(at => at <= now - o.Window);
        if (s.Sends.Count > 0 && s.Sends[^1] + o.ResendAfter > now)
        {
            return new OtpIssue(null, "a code was just sent to this phone", s.Sends[^1] + o.ResendAfter - now);
        }
        if (s.Sends.Count >= o.MaxSendsPerPhone)
        {
            return new OtpIssue(null, "too many codes sent to this phone", s.Sends[0] + o.Window - now);
        }
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        s.Salt = RandomNumberGenerator.GetBytes(16);
        s.Hash = Hash(s.Salt, purpose, code);
        s.Purpose = purpose;
        s.ExpiresAt = now + o.CodeLifetime;
        s.Sends.Add(now);
        return new OtpIssue(code, null, o.ResendAfter);
    }

    public static OtpCheck Verify(OtpState s, string purpose, string code, DateTimeOffset now, OtpOptions o)
    {
        if (s.LockedUntil is { } locked && locked > now)
        {
            return new OtpCheck(OtpOutcome.Locked, 0, locked - now);
        }
        if (s.Hash is null || s.Salt is null)
        {
            return new OtpCheck(OtpOutcome.NoCode, o.MaxAttempts - s.WrongAttempts, TimeSpan.Zero);
        }
        if (s.ExpiresAt <= now)
        {
            s.Hash = s.Salt = null;
            return new OtpCheck(OtpOutcome.Expired, o.MaxAttempts - s.WrongAttempts, TimeSpan.Zero);
        }
        if (s.Purpose == purpose && CryptographicOperations.FixedTimeEquals(s.Hash, Hash(s.Salt, purpose, code)))
        {
            s.Hash = s.Salt = null;
            s.WrongAttempts = 0;
            return new OtpCheck(OtpOutcome.Verified, o.MaxAttempts, TimeSpan.Zero);
        }
        s.WrongAttempts++;
        if (s.WrongAttempts >= o.MaxAttempts)
        {
            // Locked: the live code dies with it, so guessing on after the lock gains nothing.
            s.LockedUntil = now + o.LockFor;
            s.Hash = s.Salt = null;
            s.WrongAttempts = 0;
            return new OtpCheck(OtpOutcome.Locked, 0, o.LockFor);
        }
        return new OtpCheck(OtpOutcome.Wrong, o.MaxAttempts - s.WrongAttempts, TimeSpan.Zero);
    }

    private static byte[] Hash(byte[] salt, string purpose, string code) =>
        HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(purpose + "\n" + code));
}
