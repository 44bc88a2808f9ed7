using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using O2O.Grains.Administration;

namespace O2O.Api.Security;

/// <summary>
/// Finds what a presented write key or API token stands for, through its <see cref="ICredentialGrain"/>.
/// Each node remembers an answer for <see cref="SecurityOptions.CredentialCacheTime"/> (unknown
/// secrets too, so guessing costs no grain call each), which bounds how long a revoked secret
/// keeps working on any node.
/// </summary>
public sealed class CredentialDirectory(IGrainFactory grains, IOptionsMonitor<SecurityOptions> options, TimeProvider clock)
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, Remembered> _known = new(StringComparer.Ordinal);

    /// <summary>The credential if it is valid now; null for an unknown, expired or revoked secret.</summary>
    public async ValueTask<Credential?> FindAsync(string secret)
    {
        var hash = Secrets.Hash(secret);
        var now = clock.GetUtcNow();
        if (!_known.TryGetValue(hash, out var hit) || now - hit.At > options.CurrentValue.CredentialCacheTime)
        {
            if (_known.Count > MaxRemembered)
            {
                _known.Clear();
            }
            hit = new Remembered(await grains.GetGrain<ICredentialGrain>(hash).GetAsync(), now);
            _known[hash] = hit;
        }
        return hit.Credential is { } c && c.IsValidAt(now) ? c : null;
    }

    private sealed record Remembered(Credential? Credential, DateTimeOffset At);
}

/// <summary>
/// Seeds each tenant's administration with the write keys and tokens in configuration, so a new
/// deployment works before anyone opens the admin page. Already seeded ones are left as they are.
/// </summary>
public sealed class CredentialSeeder(IGrainFactory grains, IOptions<SecurityOptions> options, ILogger<CredentialSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var key in options.Value.WriteKeys)
        {
            var digest = Secrets.Digest(key.Key);
            await grains.GetGrain<ITenantAdministrationGrain>(key.Tenant).SeedAsync(new SeedCredential(
                CredentialKind.WriteKey, "cfg-" + digest.Hash[..10], key.Source, [Scopes.Ingest], digest,
                new SourceTerms(key.Source, [.. key.AllowedOrigins], key.RateLimit, key.RateLimitPeriod)));
        }
        foreach (var token in options.Value.ReadTokens)
        {
            var digest = Secrets.Digest(token.Token);
            await grains.GetGrain<ITenantAdministrationGrain>(token.Tenant).SeedAsync(new SeedCredential(
                CredentialKind.ApiToken, "cfg-" + digest.Hash[..10], "configured token", [.. token.Scopes], digest, null));
        }
        Log.Seeded(logger, options.Value.WriteKeys.Count, options.Value.ReadTokens.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration seeded {WriteKeys} write keys and {Tokens} API tokens (existing ones kept as administered)")]
    public static partial void Seeded(ILogger logger, int writeKeys, int tokens);
}
