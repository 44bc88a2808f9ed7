using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Administration;

namespace O2O.Api.Sources;

/// <summary>
/// Sources as admins keep them in grains (<see cref="ITenantAdministrationGrain"/>): a write key
/// is found through its hash (<see cref="CredentialDirectory"/>), its source's terms are read from
/// the tenant's administration. Every answer is remembered for <see cref="SecurityOptions.CredentialCacheTime"/>
/// only, so a new origin, rate limit or revocation reaches every node within it, without a restart.
/// </summary>
public sealed class GrainSourceDirectory(
    CredentialDirectory credentials,
    IGrainFactory grains,
    IOptionsMonitor<SecurityOptions> options,
    TimeProvider clock) : ISourceDirectory
{
    private readonly ConcurrentDictionary<string, (SourceSettings? Settings, DateTimeOffset At)> _sources = new(StringComparer.Ordinal);
    private volatile Remembered<IReadOnlyList<string>>? _origins;

    public async ValueTask<Source?> FindByWriteKeyAsync(string writeKey, CancellationToken cancellationToken)
    {
        if (writeKey.Length == 0 || await credentials.FindAsync(writeKey) is not { Kind: CredentialKind.WriteKey } key)
        {
            return null;
        }
        var id = TenantKey.Compose(key.Tenant, key.OwnerId);
        var now = clock.GetUtcNow();
        if (!_sources.TryGetValue(id, out var hit) || now - hit.At > options.CurrentValue.CredentialCacheTime)
        {
            hit = (await grains.GetGrain<ITenantAdministrationGrain>(key.Tenant).GetSourceAsync(key.OwnerId), now);
            _sources[id] = hit;
        }
        if (hit.Settings is not { Revoked: false } source)
        {
            return null;
        }
        var limit = source.RateLimit is { } requests ? new SourceRateLimit(requests, source.RateLimitPeriod) : SourceRateLimit.Default;
        return new Source(id, key.Tenant, source.Name, source.AllowedOrigins, limit);
    }

    public async ValueTask<bool> AnyAllowsOriginAsync(string origin, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var known = _origins;
        if (known is null || now - known.At > options.CurrentValue.CredentialCacheTime)
        {
            known = new Remembered<IReadOnlyList<string>>(await grains.GetGrain<IAllowedOriginsGrain>(IAllowedOriginsGrain.Key).GetAsync(), now);
            _origins = known;
        }
        return OriginPatterns.Matches(known.Value, origin);
    }

    private sealed record Remembered<T>(T Value, DateTimeOffset At);
}
