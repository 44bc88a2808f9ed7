using System.ComponentModel.DataAnnotations;

namespace O2O.Api.Security;

/// <summary>Who may write and read (section <c>O2O:Security</c>). No keys configured means nobody may.</summary>
public sealed class SecurityOptions
{
    public const string Section = "O2O:Security";

    /// <summary>
    /// Sources seeded from configuration, one per write key (sent as the Basic-auth user name or as
    /// <c>writeKey</c> in the body, as in Segment). Write-only. See <see cref="Sources.ConfiguredSourceDirectory"/>.
    /// </summary>
    public List<WriteKey> WriteKeys { get; set; } = [];

    /// <summary>Bearer tokens for the read API.</summary>
    public List<ReadToken> ReadTokens { get; set; } = [];
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
}

/// <summary>Claim types and policy names the API uses.</summary>
public static class O2OClaims
{
    public const string Tenant = "o2o:tenant";
    public const string Source = "o2o:source";
    public const string SourceId = "o2o:source-id";
    public const string IngestPolicy = "ingest";
    public const string ReadPolicy = "read";
    public const string WriteKeyScheme = "WriteKey";
    public const string ReadTokenScheme = "ReadToken";
}
