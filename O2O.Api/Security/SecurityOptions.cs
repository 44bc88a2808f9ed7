using System.ComponentModel.DataAnnotations;

namespace O2O.Api.Security;

/// <summary>Who may write and read (section <c>O2O:Security</c>). No keys configured means nobody may.</summary>
public sealed class SecurityOptions
{
    public const string Section = "O2O:Security";

    /// <summary>Source write keys, sent as the Basic-auth user name as in Segment. Write-only.</summary>
    public List<WriteKey> WriteKeys { get; set; } = [];

    /// <summary>Bearer tokens for the read API.</summary>
    public List<ReadToken> ReadTokens { get; set; } = [];
}

public sealed class WriteKey
{
    [Required, MinLength(16)] public string Key { get; set; } = "";
    [Required, RegularExpression("^[a-z0-9-]{1,40}$")] public string Tenant { get; set; } = "";
    /// <summary>What sends with this key (web, app, pos-kiotviet, ...); kept on metrics.</summary>
    public string Source { get; set; } = "default";
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
    public const string IngestPolicy = "ingest";
    public const string ReadPolicy = "read";
    public const string WriteKeyScheme = "WriteKey";
    public const string ReadTokenScheme = "ReadToken";
}
