using PhoneNumbers;

namespace O2O.Grains.Identity;

/// <summary>
/// Normalises phone numbers and emails so the same person is recognised however they were written.
/// Phones become E.164 under Vietnamese rules: <c>0901234567</c>, <c>+84901234567</c>,
/// <c>84901234567</c> and <c>090 123 4567</c> are one number.
/// </summary>
public static class ContactPoints
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>The E.164 form of a phone number, or null when it is not a valid number.</summary>
    public static string? NormalizePhone(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        var digits = new string(raw.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        // Written without the plus ("849..."): the country code is there, only the '+' is missing.
        if (!digits.StartsWith('+') && digits.StartsWith("84", StringComparison.Ordinal) && digits.Length == 11)
        {
            digits = "+" + digits;
        }
        try
        {
            var number = Phones.Parse(digits, "VN");
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>The trimmed, lower-cased email, or null when it does not look like one.</summary>
    public static string? NormalizeEmail(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        var email = raw.Trim().ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < email.Length - 3 && email.IndexOf('.', at) > at + 1 && !email.Contains(' ', StringComparison.Ordinal)
            ? email
            : null;
    }

    /// <summary>A phone for display to staff: <c>+84901234567</c> becomes <c>090****567</c>.</summary>
    public static string? MaskPhone(string? e164)
    {
        if (e164 is null || e164.Length < 8)
        {
            return null;
        }
        var national = e164.StartsWith("+84", StringComparison.Ordinal) ? "0" + e164[3..] : e164;
        return string.Concat(national.AsSpan(0, 3), new string('*', national.Length - 6), national.AsSpan(national.Length - 3));
    }
}
