namespace O2O.Api.Privacy;

/// <summary>
/// Contact points as exports show them to people who may not see them in clear: enough to tell two
/// rows apart or recognise a customer one already knows, not enough to call or write to them.
/// </summary>
public static class ContactMasking
{
    /// <summary>A phone in its Vietnamese national form, carrier prefix and last two digits kept: <c>+84938373812</c> → <c>093*****12</c>.</summary>
    public static string? Phone(string? e164)
    {
        if (string.IsNullOrEmpty(e164))
        {
            return null;
        }
        var national = e164.StartsWith("+84", StringComparison.Ordinal) ? "0" + e164[3..] : e164;
        return national.Length < 7 ? new string('*', national.Length) : national[..3] + new string('*', national.Length - 5) + national[^2..];
    }

    /// <summary>An address with its mailbox hidden but the domain kept (a marketer's view of which providers matter): <c>an.nguyen@gmail.com</c> → <c>a***@gmail.com</c>.</summary>
    public static string? Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return null;
        }
        var at = email.LastIndexOf('@');
        return at < 1 ? "***" : email[..1] + "***" + email[at..];
    }
}
