using System.ComponentModel.DataAnnotations;

namespace O2O.Api.Security;

/// <summary>
/// Sign-in with the company's OpenID Connect identity provider (section <c>O2O:Identity</c>),
/// e.g. Microsoft Entra ID: <c>Authority</c> <c>https://login.microsoftonline.com/{directory id}/v2.0</c>,
/// the app registration's client id and secret. Without an <see cref="Authority"/> nobody signs
/// in through a provider (Development then offers its demo sign-in).
/// </summary>
public sealed class IdentityOptions
{
    public const string Section = "O2O:Identity";

    /// <summary>The provider's issuer URL; its discovery document is read from here.</summary>
    public Uri? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The confidential client's secret (Key Vault or user secrets, never appsettings).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The audience of access tokens apps send to the API and the hub; the client id when unset.</summary>
    public string? Audience { get; set; }

    /// <summary>Only a test provider on loopback runs without HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>How long a sign-in lasts on the consultant page and the dashboard.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(10);

    /// <summary>The tenant people of this provider belong to, unless <see cref="TenantClaim"/> says otherwise.</summary>
    [RegularExpression("^[a-z0-9-]{1,40}$")] public string? Tenant { get; set; }

    /// <summary>A claim whose value <see cref="Tenants"/> maps to a tenant (Entra: <c>tid</c>, the directory id).</summary>
    public string? TenantClaim { get; set; }

    public Dictionary<string, string> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The claim that identifies a person for good (Entra: <c>oid</c>).</summary>
    [Required] public string SubjectClaim { get; set; } = "sub";

    [Required] public string NameClaim { get; set; } = "name";

    /// <summary>Claims whose values <see cref="Roles"/> maps (Entra: <c>groups</c> with group object ids, or app <c>roles</c>).</summary>
    public List<string> RoleClaims { get; set; } = ["groups", "roles"];

    /// <summary>Claim value (a group id, an app role) → <c>consultant</c>, <c>manager</c>, <c>marketer</c> or <c>admin</c>.</summary>
    public Dictionary<string, string> Roles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A claim holding the person's team (store code) directly, e.g. an optional claim from a directory attribute.</summary>
    public string? TeamClaim { get; set; }

    /// <summary>Claim value of <see cref="RoleClaims"/> (a group id) → team (store code or <c>online</c>).</summary>
    public Dictionary<string, string> Teams { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => Authority is not null && !string.IsNullOrEmpty(ClientId);
}
