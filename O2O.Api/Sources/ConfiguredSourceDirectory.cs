using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using O2O.Api.Security;

namespace O2O.Api.Sources;

/// <summary>
/// Sources read from <c>O2O:Security:WriteKeys</c>, rebuilt whenever configuration changes.
/// Keys are looked up by their SHA-256, so lookup time says nothing about how much of a guess was right.
/// </summary>
public sealed class ConfiguredSourceDirectory : ISourceDirectory, IDisposable
{
    private readonly IDisposable? _subscription;
    private volatile Snapshot _snapshot;

    public ConfiguredSourceDirectory(IOptionsMonitor<SecurityOptions> options)
    {
        _snapshot = Snapshot.Of(options.CurrentValue);
        _subscription = options.OnChange(o => _snapshot = Snapshot.Of(o));
    }

    public ValueTask<Source?> FindByWriteKeyAsync(string writeKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_snapshot.ByKeyHash.GetValueOrDefault(Hash(writeKey)));

    public ValueTask<bool> AnyAllowsOriginAsync(string origin, CancellationToken cancellationToken) =>
        ValueTask.FromResult(OriginPatterns.Matches(_snapshot.AllOrigins, origin));

    public void Dispose() => _subscription?.Dispose();

    private static string Hash(string key) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private sealed record Snapshot(FrozenDictionary<string, Source> ByKeyHash, string[] AllOrigins)
    {
        public static Snapshot Of(SecurityOptions options)
        {
            var byHash = new Dictionary<string, Source>(StringComparer.Ordinal);
            foreach (var key in options.WriteKeys)
            {
                var limit = key.RateLimit is { } requests ? new SourceRateLimit(requests, key.RateLimitPeriod) : SourceRateLimit.Default;
                // The id must not reveal the key: it reaches metrics and rate-limit partitions.
                var hash = Hash(key.Key);
                byHash[hash] = new Source($"{key.Tenant}/{key.Source}/{hash[..8]}", key.Tenant, key.Source, [.. key.AllowedOrigins], limit);
            }
            return new Snapshot(byHash.ToFrozenDictionary(StringComparer.Ordinal),
                [.. options.WriteKeys.SelectMany(k => k.AllowedOrigins).Distinct(StringComparer.OrdinalIgnoreCase)]);
        }
    }
}
