namespace O2O.Grains.Administration;

/// <summary>
/// What one write key or API token stands for, found without knowing the tenant.
/// Key: the secret's SHA-256 in lower-case hex (<see cref="Secrets.Hash"/>). Only the tenant's
/// <see cref="ITenantAdministrationGrain"/> changes it.
/// </summary>
public interface ICredentialGrain : IGrainWithStringKey
{
    /// <summary>The credential, or null when the hash names none.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<Credential?> GetAsync();

    /// <summary>Creates or replaces the credential.</summary>
    Task SetAsync(Credential credential);

    /// <summary>Creates the credential only when none exists: configuration seeds, admins' changes stay.</summary>
    Task<bool> SeedAsync(Credential credential);
}
