namespace O2O.Api.Sources;

/// <summary>
/// A website, app or server that sends events with its own write key: which tenant its events
/// belong to, which browser origins may send them, and how fast it may send.
/// </summary>
/// <param name="Id">Stable id of the source; rate limits and metrics are kept per id.</param>
/// <param name="Tenant">The tenant that owns every event the source sends.</param>
/// <param name="Name">What sends (web, app, pos-kiotviet, ...); kept on metrics.</param>
/// <param name="AllowedOrigins">
/// Browser origins allowed to send with this key, exactly (<c>https://shop.vn</c>), with any port
/// (<c>http://localhost:*</c>) or any subdomain (<c>https://*.shop.vn</c>). Empty: server-side only.
/// </param>
/// <param name="RateLimit">How many requests the source may send per period.</param>
public sealed record Source(string Id, string Tenant, string Name, IReadOnlyList<string> AllowedOrigins, SourceRateLimit RateLimit)
{
    /// <summary>True when a browser page on <paramref name="origin"/> may send with this source's key.</summary>
    public bool AllowsOrigin(string origin) => OriginPatterns.Matches(AllowedOrigins, origin);
}

/// <summary>At most <paramref name="Requests"/> requests per <paramref name="Period"/>, refilled evenly; a quiet source may burst up to the full amount.</summary>
public sealed record SourceRateLimit(int Requests, TimeSpan Period)
{
    /// <summary>What a source gets when its settings name no limit.</summary>
    public static readonly SourceRateLimit Default = new(1_000, TimeSpan.FromSeconds(1));
}
