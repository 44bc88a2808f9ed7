namespace O2O.Api.Sources;

/// <summary>
/// Where the Api looks up sources. Read on every tracking request, so implementations answer from
/// memory or a cache; the configuration-backed one is <see cref="ConfiguredSourceDirectory"/>.
/// </summary>
public interface ISourceDirectory
{
    /// <summary>The source that owns <paramref name="writeKey"/>, or null when no source does (unknown or revoked).</summary>
    ValueTask<Source?> FindByWriteKeyAsync(string writeKey, CancellationToken cancellationToken);

    /// <summary>
    /// True when at least one source accepts browser calls from <paramref name="origin"/>. A CORS
    /// preflight carries no write key, so this is all it can be granted on; the call that follows
    /// is then checked against its own source.
    /// </summary>
    ValueTask<bool> AnyAllowsOriginAsync(string origin, CancellationToken cancellationToken);
}
