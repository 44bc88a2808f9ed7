using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace O2O.Api.Identification;

/// <summary>Signed per-order links (section <c>O2O:BillLinks</c>). Without a signing key no link is issued.</summary>
public sealed class BillLinkOptions
{
    public const string Section = "O2O:BillLinks";

    /// <summary>HMAC-SHA256 key for order links, 32+ characters. Rotating it voids every printed link.</summary>
    [MinLength(32)] public string? SigningKey { get; set; }

    /// <summary>Public address the printed QR and messages point at (this Api, or the domain in front of it).</summary>
    [Url] public string BaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>How long a printed bill's link works.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "730.00:00:00")] public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The shop's own site; the bill page sends identified shoppers there with analytics.js' <c>ajs_uid</c>/<c>ajs_aid</c>.</summary>
    [Url] public string? ShopUrl { get; set; }
}

/// <summary>Why a link was refused.</summary>
public enum BillLinkProblem
{
    None = 0,
    /// <summary>Not a link we made: malformed, guessed or altered.</summary>
    Invalid = 1,
    Expired = 2,
}

/// <summary>
/// Issues and checks order links: <c>{payload}.{signature}</c>, the payload (tenant, order id,
/// expiry) in base64url and a 128-bit HMAC-SHA256 over it. Nothing is stored per link, so printing a
/// million bills costs nothing; a link cannot be guessed from an order id, or moved to another order,
/// without the key.
/// </summary>
public sealed class BillLinks(IOptions<BillLinkOptions> options, TimeProvider clock)
{
    private const int SignatureBytes = 16;
    private readonly byte[]? _key = options.Value.SigningKey is { } key ? Encoding.UTF8.GetBytes(key) : null;

    public bool IsConfigured => _key is not null;

    public BillLinkOptions Options => options.Value;

    public (string Token, DateTimeOffset ExpiresAt) Create(string tenant, string orderId)
    {
        var expires = clock.GetUtcNow() + options.Value.Lifetime;
        var payload = Encoding.UTF8.GetBytes($"{tenant}\n{orderId}\n{expires.ToUnixTimeSeconds()}");
        return ($"{WebEncoders.Base64UrlEncode(payload)}.{WebEncoders.Base64UrlEncode(Sign(payload))}", expires);
    }

    /// <summary>The public URL of an order's page; <paramref name="messageId"/> marks a link sent in a message.</summary>
    public string Url(string token, string? messageId = null) =>
        $"{options.Value.BaseUrl.TrimEnd('/')}/b/{token}" + (messageId is null ? "" : $"?m={Uri.EscapeDataString(messageId)}");

    public (string Tenant, string OrderId, BillLinkProblem Problem) Check(string? token)
    {
        if (_key is null || string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return ("", "", BillLinkProblem.Invalid);
        }
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return ("", "", BillLinkProblem.Invalid);
        }
        byte[] payload, signature;
        try
        {
            payload = WebEncoders.Base64UrlDecode(token[..dot]);
            signature = WebEncoders.Base64UrlDecode(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return ("", "", BillLinkProblem.Invalid);
        }
        if (signature.Length != SignatureBytes || !CryptographicOperations.FixedTimeEquals(signature, Sign(payload)))
        {
            return ("", "", BillLinkProblem.Invalid);
        }
        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 3 || !long.TryParse(parts[2], out var expiresUnix))
        {
            return ("", "", BillLinkProblem.Invalid);
        }
        return DateTimeOffset.FromUnixTimeSeconds(expiresUnix) <= clock.GetUtcNow()
            ? (parts[0], parts[1], BillLinkProblem.Expired)
            : (parts[0], parts[1], BillLinkProblem.None);
    }

    private byte[] Sign(byte[] payload)
    {
        Span<byte> mac = stackalloc byte[32];
        using var hmac = new HMACSHA256(_key!);
        hmac.TryComputeHash([.. "o2o-bill-v1\n"u8, .. payload], mac, out _);
        return mac[..SignatureBytes].ToArray();
    }
}
