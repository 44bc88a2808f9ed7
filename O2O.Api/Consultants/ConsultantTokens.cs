using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using O2O.Api.Security;
using O2O.Grains.Leads;

namespace O2O.Api.Consultants;

/// <summary>Claim types of a consultant token, and reading a consultant back from a principal.</summary>
public static class ConsultantClaims
{
    public const string Scheme = "Consultant";
    public const string Policy = O2OPolicies.Consultant;
    public const string Id = O2OClaims.Subject;
    public const string Name = O2OClaims.Name;
    public const string Team = O2OClaims.Team;
    public const string Role = O2OClaims.Role;

    /// <summary>The consultant behind a token or session; a manager when they hold the manager role.</summary>
    public static Consultant Consultant(this ClaimsPrincipal user) => new(
        user.FindFirst(Id)?.Value ?? throw new InvalidOperationException("The consultant token has no subject."),
        user.FindFirst(Name)?.Value ?? "",
        user.FindFirst(Team)?.Value ?? throw new InvalidOperationException("The consultant token has no team."),
        user.HasClaim(Role, O2ORoles.Manager) ? ConsultantRole.Manager : ConsultantRole.Consultant,
        int.TryParse(user.FindFirst(O2OClaims.LeadCap)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var cap) ? cap : null);

    public static SymmetricSecurityKey? KeyOf(ConsultantOptions o) =>
        string.IsNullOrEmpty(o.SigningKey) ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(o.SigningKey));
}

/// <summary>Issues consultant tokens signed with the configured key.</summary>
public sealed class ConsultantTokens(IOptions<ConsultantOptions> options, TimeProvider clock)
{
    public string Issue(string tenant, Consultant consultant)
    {
        var o = options.Value;
        var key = ConsultantClaims.KeyOf(o) ?? throw new InvalidOperationException($"{ConsultantOptions.Section}:SigningKey is not configured.");
        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = o.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + o.TokenLifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(ConsultantClaims.Id, consultant.Id),
                new Claim(ConsultantClaims.Name, consultant.Name),
                new Claim(ConsultantClaims.Team, consultant.Team),
                new Claim(ConsultantClaims.Role, consultant.Role == ConsultantRole.Manager ? O2ORoles.Manager : O2ORoles.Consultant),
                new Claim(O2OClaims.Tenant, tenant),
            ]),
        });
    }
}
