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
    /// <summary>
    /// What the token may do besides reading: <c>erase</c> (data-subject requests) or <c>admin</c>.
    /// Issue 14 brings scopes to every machine token; until then only read tokens carry them.
    /// </summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>Claim types and policy names the API uses.</summary>
public static class O2OClaims
{
    public const string Tenant = "o2o:tenant";
    public const string Source = "o2o:source";
    public const string IngestPolicy = "ingest";
    public const string ReadPolicy = "read";
    /// <summary>Data-subject requests (access, correction, erasure): tokens with the <c>erase</c> or <c>admin</c> scope.</summary>
    public const string ErasePolicy = "erase";
    public const string Scope = "scope";
    public const string EraseScope = "erase";
    public const string AdminScope = "admin";
    public const string WriteKeyScheme = "WriteKey";
    public const string ReadTokenScheme = "ReadToken";
}
