using System.ComponentModel.DataAnnotations;
using O2O.Grains.Administration;

namespace O2O.Api.Security;

/// <summary>
/// Machine credentials from configuration (section <c>O2O:Security</c>). They seed the tenant's
/// administration at start (once: an admin's later revocation survives restarts); from then on
/// sources and tokens are administered at <c>/api/admin</c> without a restart.
/// </summary>
public sealed class SecurityOptions
{
    public const string Section = "O2O:Security";

    /// <summary>
    /// Sources seeded from configuration, one per write key (sent as the Basic-auth user name or as
    /// <c>writeKey</c> in the body, as in Segment). Write-only. See <see cref="Sources.ConfiguredSourceDirectory"/>.
    /// </summary>
    public List<WriteKey> WriteKeys { get; set; } = [];

    /// <summary>Bearer tokens for machines; <c>read</c> unless they say otherwise.</summary>
    public List<ReadToken> ReadTokens { get; set; } = [];

    /// <summary>
    /// How long an Api node trusts what it last heard about a key or token. A revocation reaches
    /// every node within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan CredentialCacheTime { get; set; } = TimeSpan.FromMilliseconds(500);
}

public sealed class WriteKey
{
    [Required, MinLength(16)] public string Key { get; set; } = "";
    [Required, RegularExpression("^[a-z0-9-]{1,40}$")] public string Tenant { get; set; } = "";
    /// <summary>What sends with this key (web, app, pos-kiotviet, ...); the source's name, kept on metrics.</summary>
    public string Source { get; set; } = "default";
    /// <summary>Browser origins allowed to send with this key (<c>https://shop.vn</c>, <c>http://localhost:*</c>, <c>https://*.shop.vn</c>); none: server-side calls only.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
    /// <summary>Requests allowed per <see cref="RateLimitPeriod"/>; unset: <see cref="Sources.SourceRateLimit.Default"/>.</summary>
    [Range(1, 1_000_000)] public int? RateLimit { get; set; }
    /// <summary>The period <see cref="RateLimit"/> counts over (default one second).</summary>
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class ReadToken
{
    [Required, MinLength(16)] public string Token { get; set; } = "";
    [Required, RegularExpression("^[a-z0-9-]{1,40}$")] public string Tenant { get; set; } = "";
    /// <summary>Any of <c>read</c>, <c>erase</c>, <c>admin</c>, <c>ingest</c>.</summary>
    public List<string> Scopes { get; set; } = [O2O.Grains.Administration.Scopes.Read];
}

/// <summary>Claim types, roles, schemes and policy names the API uses.</summary>
public static class O2OClaims
{
    public const string Tenant = "o2o:tenant";
    public const string Source = "o2o:source";
    public const string SourceId = "o2o:source-id";
    /// <summary>A machine credential's scope (<see cref="Scopes"/>); people have roles instead.</summary>
    public const string Scope = "o2o:scope";
    /// <summary>A person's role (<see cref="O2ORoles"/>).</summary>
    public const string Role = "o2o:role";
    public const string Team = "o2o:team";
    /// <summary>The concurrent-lead cap an admin set for a consultant.</summary>
    public const string LeadCap = "o2o:lead-cap";
    public const string Subject = "sub";
    public const string Name = "name";

    public const string WriteKeyScheme = "WriteKey";
    public const string ReadTokenScheme = "ApiToken";

    /// <summary>Write keys (and API tokens with <c>ingest</c>): ingestion and on-site intent.</summary>
    public const string IngestPolicy = "ingest";
    /// <summary>API tokens with <c>read</c>: profiles, stores, campaigns.</summary>
    public const string ReadPolicy = "read";
}

/// <summary>The roles people have; the identity provider's claims map onto them (<see cref="IdentityOptions"/>).</summary>
public static class O2ORoles
{
    public const string Consultant = "consultant";
    public const string Manager = "manager";
    public const string Marketer = "marketer";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Consultant, Manager, Marketer, Admin };
}

/// <summary>Every authorization policy; each endpoint names one, and anything that names none is refused.</summary>
public static class O2OPolicies
{
    public const string Ingest = O2OClaims.IngestPolicy;
    public const string Read = O2OClaims.ReadPolicy;
    /// <summary>API tokens with <c>erase</c>: right to erasure.</summary>
    public const string Erase = "erase";
    /// <summary>The hottest leads: API tokens with <c>read</c>, or a manager for their own store.</summary>
    public const string Leads = "leads";
    /// <summary>Reports: marketers, or API tokens with <c>read</c>.</summary>
    public const string Marketing = "marketing";
    /// <summary>Recording ad spend: marketers, or API tokens with <c>ingest</c>.</summary>
    public const string Spend = "spend";
    /// <summary>The dashboard pages and their exports: signed-in marketers.</summary>
    public const string Dashboard = "dashboard";
    /// <summary>The lead feed: consultants and managers of a team.</summary>
    public const string Consultant = "consultant";
    /// <summary>Administration: admins, or API tokens with <c>admin</c>.</summary>
    public const string Admin = "admin";
    /// <summary>Anyone signed in (who am I).</summary>
    public const string Person = "person";
}
