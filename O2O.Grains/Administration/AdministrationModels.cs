namespace O2O.Grains.Administration;

/// <summary>What a machine credential may do. Write keys carry <see cref="Ingest"/> only.</summary>
public static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Erase = "erase";
    public const string Admin = "admin";
    /// <summary>Exports with phone numbers and emails in clear (segment members); each such export goes in the audit trail.</summary>
    public const string Contacts = "contacts";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Ingest, Read, Erase, Admin, Contacts };
}

/// <summary>Which kind of secret a credential is.</summary>
public enum CredentialKind : byte
{
    /// <summary>A source's write key (Basic-auth user name, as in Segment).</summary>
    WriteKey = 0,

    /// <summary>A bearer token for machines reading or administering a tenant.</summary>
    ApiToken = 1,
}

/// <summary>
/// What a presented secret stands for. Kept under the secret's hash only; the secret itself is
/// shown once when it is made and never stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.credential")]
public sealed record Credential(
    [property: Id(0)] CredentialKind Kind,
    [property: Id(1)] string Tenant,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] DateTimeOffset? NotAfter,
    [property: Id(5)] bool Revoked)
{
    /// <summary>Usable at <paramref name="now"/>: not revoked and not past its end.</summary>
    public bool IsValidAt(DateTimeOffset now) => !Revoked && (NotAfter is not { } end || now < end);

    public bool Allows(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}

/// <summary>Who changed something, as the audit trail names them.</summary>
[GenerateSerializer, Immutable, Alias("o2o.admin-actor")]
public sealed record Actor(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name)
{
    public static readonly Actor Configuration = new("configuration", "configuration");
}

/// <summary>One administrative change: who did what to which thing, when.</summary>
[GenerateSerializer, Immutable, Alias("o2o.audit-entry")]
public sealed record AuditEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ActorId,
    [property: Id(2)] string ActorName,
    [property: Id(3)] string Action,
    [property: Id(4)] string Target,
    [property: Id(5)] string? Detail);

/// <summary>A store as the tenant administers it; its time zone decides what "today" means there.</summary>
[GenerateSerializer, Immutable, Alias("o2o.store-settings")]
public sealed record StoreSettings(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Address,
    [property: Id(3)] string? Region,
    [property: Id(4)] string? OpeningHours,
    [property: Id(5)] string TimeZone,
    [property: Id(6)] IReadOnlyList<string> Teams);

/// <summary>
/// A consultant known from the identity provider, with what an admin set for them. A team set
/// here wins over the one the identity provider's claims map to.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.consultant-settings")]
public sealed record ConsultantSettings(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Team,
    [property: Id(3)] IReadOnlyList<string> Skills,
    [property: Id(4)] int? MaxOpenLeads,
    [property: Id(5)] DateTimeOffset? LastSignIn);

/// <summary>One write key of a source, without the key: its id, last characters and life.</summary>
[GenerateSerializer, Immutable, Alias("o2o.source-key")]
public sealed record SourceKey(
    [property: Id(0)] string KeyHash,
    [property: Id(1)] string Hint,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset? NotAfter,
    [property: Id(4)] bool Revoked);

/// <summary>
/// A sender of events (web site, app, POS): its write keys, the browser origins allowed to send
/// with them, and at most <see cref="RateLimit"/> requests per <see cref="RateLimitPeriod"/> (unset: the default).
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.source-settings")]
public sealed record SourceSettings(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> AllowedOrigins,
    [property: Id(3)] int? RateLimit,
    [property: Id(4)] IReadOnlyList<SourceKey> Keys,
    [property: Id(5)] bool Revoked,
    [property: Id(6)] TimeSpan RateLimitPeriod);

/// <summary>How a source may send: its name, browser origins and rate limit.</summary>
[GenerateSerializer, Immutable, Alias("o2o.source-terms")]
public sealed record SourceTerms(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> AllowedOrigins,
    [property: Id(2)] int? RateLimit,
    [property: Id(3)] TimeSpan RateLimitPeriod);

/// <summary>A bearer token for machines, without the token.</summary>
[GenerateSerializer, Immutable, Alias("o2o.api-token-settings")]
public sealed record ApiTokenSettings(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Scopes,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] string KeyHash,
    [property: Id(5)] string Hint,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] bool Revoked);

/// <summary>Everything one tenant administers.</summary>
[GenerateSerializer, Immutable, Alias("o2o.tenant-administration")]
public sealed record TenantAdministration(
    [property: Id(0)] IReadOnlyList<StoreSettings> Stores,
    [property: Id(1)] IReadOnlyList<ConsultantSettings> Consultants,
    [property: Id(2)] IReadOnlyList<SourceSettings> Sources,
    [property: Id(3)] IReadOnlyList<ApiTokenSettings> Tokens);

/// <summary>A new secret's hash and the characters shown to tell it apart later.</summary>
[GenerateSerializer, Immutable, Alias("o2o.secret-digest")]
public sealed record SecretDigest(
    [property: Id(0)] string Hash,
    [property: Id(1)] string Hint);
