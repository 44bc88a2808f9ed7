using System.Security.Claims;
using O2O.Grains.Administration;

namespace O2O.Api.Security;

/// <summary>
/// Turns the identity provider's claims into the ones O2O reads: subject, name, tenant, roles and
/// team. A person with no mapped role gets no O2O identity at all.
/// </summary>
public static class PersonClaims
{
    public static ClaimsIdentity? Map(ClaimsPrincipal provider, IdentityOptions o, string authenticationType)
    {
        var subject = provider.FindFirst(o.SubjectClaim)?.Value;
        var tenant = o.TenantClaim is { } tc && provider.FindFirst(tc)?.Value is { } tv && o.Tenants.TryGetValue(tv, out var mapped) ? mapped : o.Tenant;
        if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(tenant))
        {
            return null;
        }
        var values = o.RoleClaims.SelectMany(type => provider.FindAll(type)).Select(c => c.Value).ToList();
        var roles = values.Select(v => o.Roles.GetValueOrDefault(v)).OfType<string>().Where(O2ORoles.All.Contains).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
        {
            return null;
        }
        var team = (o.TeamClaim is { } teamClaim ? provider.FindFirst(teamClaim)?.Value : null)
            ?? values.Select(v => o.Teams.GetValueOrDefault(v)).OfType<string>().FirstOrDefault();
        var name = provider.FindFirst(o.NameClaim)?.Value ?? provider.FindFirst(ClaimTypes.Name)?.Value ?? subject;
        return Identity(authenticationType, subject, name, tenant, roles, team);
    }

    public static ClaimsIdentity Identity(string authenticationType, string subject, string name, string tenant, IEnumerable<string> roles, string? team)
    {
        var identity = new ClaimsIdentity(authenticationType, O2OClaims.Name, O2OClaims.Role);
        identity.AddClaim(new Claim(O2OClaims.Subject, subject));
        identity.AddClaim(new Claim(O2OClaims.Name, name));
        identity.AddClaim(new Claim(O2OClaims.Tenant, tenant));
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(O2OClaims.Role, role));
        }
        if (!string.IsNullOrEmpty(team))
        {
            identity.AddClaim(new Claim(O2OClaims.Team, team));
        }
        return identity;
    }

    /// <summary>What an admin set for a consultant wins over the provider: their team, and their lead cap.</summary>
    public static void Apply(ClaimsIdentity identity, ConsultantSettings settings)
    {
        if (settings.MaxOpenLeads is { } cap)
        {
            identity.AddClaim(new Claim(O2OClaims.LeadCap, cap.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (settings.Team is { Length: > 0 } team)
        {
            foreach (var old in identity.FindAll(O2OClaims.Team).ToList())
            {
                identity.RemoveClaim(old);
            }
            identity.AddClaim(new Claim(O2OClaims.Team, team));
        }
    }

    public static bool IsConsultant(this ClaimsPrincipal user) =>
        user.HasClaim(O2OClaims.Role, O2ORoles.Consultant) || user.HasClaim(O2OClaims.Role, O2ORoles.Manager);

    public static bool HasScope(this ClaimsPrincipal user, string scope) => user.HasClaim(O2OClaims.Scope, scope);

    public static bool HasRole(this ClaimsPrincipal user, string role) => user.HasClaim(O2OClaims.Role, role);

    /// <summary>The person or machine as the audit trail names them.</summary>
    public static Actor Actor(this ClaimsPrincipal user) => new(
        user.FindFirst(O2OClaims.Subject)?.Value ?? "unknown",
        user.FindFirst(O2OClaims.Name)?.Value ?? user.FindFirst(O2OClaims.Subject)?.Value ?? "unknown");
}
