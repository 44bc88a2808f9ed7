namespace O2O.Grains.Administration;

/// <summary>
/// Everything an admin of one tenant changes without a redeploy: stores, consultants' settings,
/// sources with their write keys, API tokens. Every change is written before it is answered,
/// and recorded in the audit trail with who made it. Secrets arrive hashed (<see cref="SecretDigest"/>);
/// the grain keeps each one's <see cref="ICredentialGrain"/> in step.
/// Key: the tenant id.
/// </summary>
public interface ITenantAdministrationGrain : IGrainWithStringKey
{
    /// <summary>Stores, consultants, sources and tokens (no secrets).</summary>
    Task<TenantAdministration> GetAsync();

    /// <summary>The newest audit entries first.</summary>
    Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int take);

    /// <summary>
    /// Records an access to personal data that is not a change (an export of contact points in clear),
    /// durably, before the data is handed out.
    /// </summary>
    Task RecordAccessAsync(Actor actor, string action, string target, string? detail);

    /// <summary>Adds a store or replaces the one with the same code.</summary>
    Task<StoreSettings> SaveStoreAsync(Actor actor, StoreSettings store);

    /// <summary>Removes a store; false when there was none.</summary>
    Task<bool> RemoveStoreAsync(Actor actor, string code);

    /// <summary>
    /// Records that a consultant signed in through the identity provider, so admins can find them;
    /// answers what admins set for them (their team, when set, wins over the provider's claims).
    /// </summary>
    Task<ConsultantSettings> ConsultantSignedInAsync(string id, string name);

    /// <summary>Sets a known consultant's team, skills and concurrent-lead cap; null when the consultant never signed in.</summary>
    Task<ConsultantSettings?> UpdateConsultantAsync(Actor actor, string id, string? team, IReadOnlyList<string> skills, int? maxOpenLeads);

    /// <summary>A source by id, or null.</summary>
    Task<SourceSettings?> GetSourceAsync(string id);

    /// <summary>Creates a source with its first write key; null when the id is taken.</summary>
    Task<SourceSettings?> CreateSourceAsync(Actor actor, string id, SourceTerms terms, SecretDigest key);

    /// <summary>Renames a source or changes its origins and rate limit; null when unknown.</summary>
    Task<SourceSettings?> UpdateSourceAsync(Actor actor, string id, SourceTerms terms);

    /// <summary>
    /// Adds a new write key; the keys the source had keep working for <paramref name="overlap"/>
    /// (so senders can switch over), then stop. Null when the source is unknown or revoked.
    /// </summary>
    Task<SourceSettings?> RotateSourceKeyAsync(Actor actor, string id, SecretDigest key, TimeSpan overlap);

    /// <summary>Stops every key of the source at once; null when unknown.</summary>
    Task<SourceSettings?> RevokeSourceAsync(Actor actor, string id);

    /// <summary>Makes an API token; null when the id is taken.</summary>
    Task<ApiTokenSettings?> CreateTokenAsync(Actor actor, string id, string name, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt, SecretDigest token);

    /// <summary>Stops an API token at once; null when unknown.</summary>
    Task<ApiTokenSettings?> RevokeTokenAsync(Actor actor, string id);

    /// <summary>
    /// Adds a source or token from configuration unless one with this id exists already, so an
    /// admin's later changes (a revocation) survive restarts.
    /// </summary>
    Task SeedAsync(SeedCredential seed);
}

/// <summary>A write key or read token from configuration, hashed.</summary>
[GenerateSerializer, Immutable, Alias("o2o.seed-credential")]
public sealed record SeedCredential(
    [property: Id(0)] CredentialKind Kind,
    [property: Id(1)] string Id,
    [property: Id(2)] string Name,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] SecretDigest Secret,
    [property: Id(5)] SourceTerms? Terms);
