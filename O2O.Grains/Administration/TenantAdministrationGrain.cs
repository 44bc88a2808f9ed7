namespace O2O.Grains.Administration;

/// <inheritdoc cref="ITenantAdministrationGrain"/>
public sealed class TenantAdministrationGrain(
    [PersistentState("administration", StorageNames.Stores)] IPersistentState<TenantAdministrationState> state,
    IGrainFactory grains,
    TimeProvider clock) : Grain, ITenantAdministrationGrain
{
    /// <summary>Older entries are dropped; the trail is for "who changed this lately", not an archive.</summary>
    public const int AuditLimit = 2_000;

    private TenantAdministrationState S => state.State;

    private string Tenant => this.GetPrimaryKeyString();

    public Task<TenantAdministration> GetAsync() => Task.FromResult(new TenantAdministration(
        [.. S.Stores.Values.OrderBy(s => s.Code, StringComparer.Ordinal)],
        [.. S.Consultants.Values.OrderBy(c => c.Name, StringComparer.CurrentCulture)],
        [.. S.Sources.Values.OrderBy(s => s.Name, StringComparer.CurrentCulture)],
        [.. S.Tokens.Values.OrderBy(t => t.Name, StringComparer.CurrentCulture)]));

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int take) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. Enumerable.Reverse(S.Audit).Take(take)]);

    public Task RecordAccessAsync(Actor actor, string action, string target, string? detail) => SaveAsync(actor, action, target, detail);

    public async Task<StoreSettings> SaveStoreAsync(Actor actor, StoreSettings store)
    {
        var existed = S.Stores.ContainsKey(store.Code);
        S.Stores[store.Code] = store;
        await SaveAsync(actor, existed ? "store.updated" : "store.created", store.Code, store.Name);
        return store;
    }

    public async Task<bool> RemoveStoreAsync(Actor actor, string code)
    {
        if (!S.Stores.Remove(code))
        {
            return false;
        }
        await SaveAsync(actor, "store.removed", code, null);
        return true;
    }

    public async Task<ConsultantSettings> ConsultantSignedInAsync(string id, string name)
    {
        var now = clock.GetUtcNow();
        var known = S.Consultants.GetValueOrDefault(id) ?? new ConsultantSettings(id, name, null, [], null, null);
        var seen = known with { Name = name, LastSignIn = now };
        S.Consultants[id] = seen;
        // Sign-ins are frequent and not an administrative change: no audit entry.
        await state.WriteStateAsync();
        return seen;
    }

    public async Task<ConsultantSettings?> UpdateConsultantAsync(Actor actor, string id, string? team, IReadOnlyList<string> skills, int? maxOpenLeads)
    {
        if (S.Consultants.GetValueOrDefault(id) is not { } known)
        {
            return null;
        }
        var updated = known with { Team = team, Skills = skills, MaxOpenLeads = maxOpenLeads };
        S.Consultants[id] = updated;
        await SaveAsync(actor, "consultant.updated", id,
            $"team={team ?? "(from identity provider)"}; skills={string.Join(',', skills)}; cap={maxOpenLeads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(default)"}");
        return updated;
    }

    public Task<SourceSettings?> GetSourceAsync(string id) => Task.FromResult(S.Sources.GetValueOrDefault(id));

    public async Task<SourceSettings?> CreateSourceAsync(Actor actor, string id, SourceTerms terms, SecretDigest key)
    {
        if (S.Sources.ContainsKey(id))
        {
            return null;
        }
        var source = new SourceSettings(id, terms.Name, terms.AllowedOrigins, terms.RateLimit,
            [new SourceKey(key.Hash, key.Hint, clock.GetUtcNow(), null, false)], false, terms.RateLimitPeriod);
        await Credential(key.Hash).SetAsync(WriteKey(id, null, revoked: false));
        S.Sources[id] = source;
        await PublishOriginsAsync();
        await SaveAsync(actor, "source.created", id, terms.Name);
        return source;
    }

    public async Task<SourceSettings?> UpdateSourceAsync(Actor actor, string id, SourceTerms terms)
    {
        if (S.Sources.GetValueOrDefault(id) is not { } source)
        {
            return null;
        }
        var updated = source with { Name = terms.Name, AllowedOrigins = terms.AllowedOrigins, RateLimit = terms.RateLimit, RateLimitPeriod = terms.RateLimitPeriod };
        S.Sources[id] = updated;
        await PublishOriginsAsync();
        await SaveAsync(actor, "source.updated", id,
            $"name={terms.Name}; origins={string.Join(' ', terms.AllowedOrigins)}; rate={terms.RateLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(default)"} per {terms.RateLimitPeriod}");
        return updated;
    }

    public async Task<SourceSettings?> RotateSourceKeyAsync(Actor actor, string id, SecretDigest key, TimeSpan overlap)
    {
        if (S.Sources.GetValueOrDefault(id) is not { Revoked: false } source)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var end = now + overlap;
        var keys = new List<SourceKey>();
        foreach (var old in source.Keys)
        {
            if (old.Revoked || old.NotAfter is { } ends && ends <= end)
            {
                keys.Add(old);
                continue;
            }
            await Credential(old.KeyHash).SetAsync(WriteKey(id, end, revoked: false));
            keys.Add(old with { NotAfter = end });
        }
        await Credential(key.Hash).SetAsync(WriteKey(id, null, revoked: false));
        keys.Add(new SourceKey(key.Hash, key.Hint, now, null, false));
        var rotated = source with { Keys = keys };
        S.Sources[id] = rotated;
        await SaveAsync(actor, "source.key-rotated", id, $"new key {key.Hint}; earlier keys end {end:O}");
        return rotated;
    }

    public async Task<SourceSettings?> RevokeSourceAsync(Actor actor, string id)
    {
        if (S.Sources.GetValueOrDefault(id) is not { } source)
        {
            return null;
        }
        foreach (var key in source.Keys)
        {
            await Credential(key.KeyHash).SetAsync(WriteKey(id, key.NotAfter, revoked: true));
        }
        var revoked = source with { Revoked = true, Keys = [.. source.Keys.Select(k => k with { Revoked = true })] };
        S.Sources[id] = revoked;
        await PublishOriginsAsync();
        await SaveAsync(actor, "source.revoked", id, source.Name);
        return revoked;
    }

    public async Task<ApiTokenSettings?> CreateTokenAsync(Actor actor, string id, string name, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt, SecretDigest token)
    {
        if (S.Tokens.ContainsKey(id))
        {
            return null;
        }
        var created = new ApiTokenSettings(id, name, scopes, expiresAt, token.Hash, token.Hint, clock.GetUtcNow(), false);
        await Credential(token.Hash).SetAsync(new Credential(CredentialKind.ApiToken, Tenant, id, scopes, expiresAt, false));
        S.Tokens[id] = created;
        await SaveAsync(actor, "token.created", id, $"{name}; scopes={string.Join(',', scopes)}; expires={expiresAt?.ToString("O") ?? "never"}");
        return created;
    }

    public async Task<ApiTokenSettings?> RevokeTokenAsync(Actor actor, string id)
    {
        if (S.Tokens.GetValueOrDefault(id) is not { } token)
        {
            return null;
        }
        await Credential(token.KeyHash).SetAsync(new Credential(CredentialKind.ApiToken, Tenant, id, token.Scopes, token.ExpiresAt, true));
        var revoked = token with { Revoked = true };
        S.Tokens[id] = revoked;
        await SaveAsync(actor, "token.revoked", id, token.Name);
        return revoked;
    }

    public async Task SeedAsync(SeedCredential seed)
    {
        var exists = seed.Kind == CredentialKind.WriteKey ? S.Sources.ContainsKey(seed.Id) : S.Tokens.ContainsKey(seed.Id);
        if (exists)
        {
            return;
        }
        var now = clock.GetUtcNow();
        if (seed.Kind == CredentialKind.WriteKey)
        {
            await Credential(seed.Secret.Hash).SeedAsync(WriteKey(seed.Id, null, revoked: false));
            var terms = seed.Terms ?? new SourceTerms(seed.Name, [], null, TimeSpan.FromSeconds(1));
            S.Sources[seed.Id] = new SourceSettings(seed.Id, terms.Name, terms.AllowedOrigins, terms.RateLimit,
                [new SourceKey(seed.Secret.Hash, seed.Secret.Hint, now, null, false)], false, terms.RateLimitPeriod);
            await PublishOriginsAsync();
        }
        else
        {
            await Credential(seed.Secret.Hash).SeedAsync(new Credential(CredentialKind.ApiToken, Tenant, seed.Id, seed.Scopes, null, false));
            S.Tokens[seed.Id] = new ApiTokenSettings(seed.Id, seed.Name, seed.Scopes, null, seed.Secret.Hash, seed.Secret.Hint, now, false);
        }
        await SaveAsync(Actor.Configuration, seed.Kind == CredentialKind.WriteKey ? "source.seeded" : "token.seeded", seed.Id, seed.Name);
    }

    private Credential WriteKey(string sourceId, DateTimeOffset? notAfter, bool revoked) =>
        new(CredentialKind.WriteKey, Tenant, sourceId, [Scopes.Ingest], notAfter, revoked);

    private ICredentialGrain Credential(string hash) => grains.GetGrain<ICredentialGrain>(hash);

    /// <summary>CORS preflights carry no key: every node answers them from the union of all live sources' origins.</summary>
    private Task PublishOriginsAsync() => grains.GetGrain<IAllowedOriginsGrain>(IAllowedOriginsGrain.Key).SetAsync(Tenant,
        [.. S.Sources.Values.Where(s => !s.Revoked).SelectMany(s => s.AllowedOrigins).Distinct(StringComparer.OrdinalIgnoreCase)]);

    private async Task SaveAsync(Actor actor, string action, string target, string? detail)
    {
        S.Audit.Add(new AuditEntry(clock.GetUtcNow(), actor.Id, actor.Name, action, target, detail));
        if (S.Audit.Count > AuditLimit)
        {
            S.Audit.RemoveRange(0, S.Audit.Count - AuditLimit);
        }
        await state.WriteStateAsync();
    }
}

[GenerateSerializer, Alias("o2o.tenant-administration-state")]
public sealed class TenantAdministrationState
{
    [Id(0)] public Dictionary<string, StoreSettings> Stores { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, ConsultantSettings> Consultants { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public Dictionary<string, SourceSettings> Sources { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public Dictionary<string, ApiTokenSettings> Tokens { get; set; } = new(StringComparer.Ordinal);
    [Id(4)] public List<AuditEntry> Audit { get; set; } = [];
}
