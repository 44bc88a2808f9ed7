using System.ComponentModel.DataAnnotations;
using O2O.Grains.Leads;

namespace O2O.Api.Consultants;

/// <summary>
/// Consultant sign-in (section <c>O2O:Consultants</c>): consultants hold JWTs signed with
/// <see cref="SigningKey"/>. In Development a sign-in endpoint issues them for <see cref="Demo"/>
/// consultants; elsewhere the company's identity provider issues them with the same claims.
/// </summary>
public sealed class ConsultantOptions
{
    public const string Section = "O2O:Consultants";

    /// <summary>HMAC-SHA256 key for consultant tokens; without one no consultant can sign in.</summary>
    [MinLength(32)] public string? SigningKey { get; set; }

    [Required] public string Issuer { get; set; } = "o2o";

    [Required] public string Audience { get; set; } = "o2o-consultants";

    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Serves <c>POST /consultant/sign-in</c> for the demo consultants. Development only.</summary>
    public bool DemoSignIn { get; set; }

    public List<DemoConsultant> Demo { get; set; } = [];
}

public sealed class DemoConsultant
{
    [Required, RegularExpression("^[a-z0-9-]{1,40}$")] public string Id { get; set; } = "";
    [Required] public string Name { get; set; } = "";
    [Required, RegularExpression("^[a-z0-9-]{1,40}$")] public string Tenant { get; set; } = "";
    /// <summary>The store code, or <c>online</c> for the online team.</summary>
    [Required] public string Team { get; set; } = LeadOptions.OnlineTeam;
    public ConsultantRole Role { get; set; } = ConsultantRole.Consultant;
}
