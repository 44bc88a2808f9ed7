using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Privacy;

/// <summary>Pseudonym secrets and retention (section <c>O2O:Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    public const string Section = "O2O:Privacy";

    /// <summary>
    /// The secret every tenant's pseudonym key derives from (HMAC-SHA256 of the tenant id), unless
    /// <see cref="TenantSecrets"/> names one of its own. Losing it makes every stored identifier key
    /// unreachable, so it is kept like a database key (a Key Vault / Container Apps secret).
    /// </summary>
    [Required(ErrorMessage = "O2O:Privacy:PseudonymSecret is required: a secret of 32+ characters that keys the identifier pseudonyms (HMAC-SHA256)."), MinLength(32)]
    public string PseudonymSecret { get; set; } = "";

    /// <summary>Per-tenant secrets (32+ characters) that replace the derived key.</summary>
    public Dictionary<string, string> TenantSecrets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Idle time after which an anonymous profile and its identifiers are deleted: 13 months.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan AnonymousRetention { get; set; } = TimeSpan.FromDays(396);
}
