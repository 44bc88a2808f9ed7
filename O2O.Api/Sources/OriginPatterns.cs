namespace O2O.Api.Sources;

/// <summary>
/// Matches a browser <c>Origin</c> (<c>scheme://host[:port]</c>) against allowed-origin patterns:
/// exact (<c>https://shop.vn</c>), any port (<c>http://localhost:*</c>), any subdomain
/// (<c>https://*.shop.vn</c>, which does not match <c>https://shop.vn</c> itself), or <c>*</c>.
/// </summary>
public static class OriginPatterns
{
    public static bool Matches(IReadOnlyList<string> patterns, string origin)
    {
        if (!TryParse(origin, out var scheme, out var host, out var port))
        {
            return false;
        }
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, scheme, host, port))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="pattern"/> is a pattern <see cref="Matches(IReadOnlyList{string}, string)"/> understands.</summary>
    public static bool IsValid(string pattern)
    {
        if (pattern == "*")
        {
            return true;
        }
        var (scheme, host, port) = Split(pattern);
        return scheme is "http" or "https"
            && host.Length > 0
            && (host.StartsWith("*.", StringComparison.Ordinal) ? Uri.CheckHostName(host[2..]) : Uri.CheckHostName(host)) != UriHostNameType.Unknown
            && (port is null or "*" || int.TryParse(port, out var p) && p is > 0 and < 65536);
    }

    private static bool Matches(string pattern, string scheme, string host, int port)
    {
        if (pattern == "*")
        {
            return true;
        }
        var (patternScheme, patternHost, patternPort) = Split(pattern);
        if (!string.Equals(patternScheme, scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var hostMatches = patternHost.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(patternHost[1..], StringComparison.OrdinalIgnoreCase) && host.Length > patternHost.Length - 1
            : string.Equals(patternHost, host, StringComparison.OrdinalIgnoreCase);
        if (!hostMatches)
        {
            return false;
        }
        return patternPort switch
        {
            "*" => true,
            null => port == DefaultPort(scheme),
            _ => int.TryParse(patternPort, out var p) && p == port,
        };
    }

    private static (string Scheme, string Host, string? Port) Split(string pattern)
    {
        var trimmed = pattern.Trim().TrimEnd('/');
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return ("", "", null);
        }
        var scheme = trimmed[..schemeEnd].ToLowerInvariant();
        var rest = trimmed[(schemeEnd + 3)..];
        var colon = rest.LastIndexOf(':');
        // An IPv6 literal's colons sit inside brackets; a port comes after the closing one.
        return colon > rest.LastIndexOf(']') ? (scheme, rest[..colon], rest[(colon + 1)..]) : (scheme, rest, null);
    }

    private static bool TryParse(string origin, out string scheme, out string host, out int port)
    {
        scheme = host = "";
        port = 0;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }
        scheme = uri.Scheme;
        host = uri.Host;
        port = uri.Port;
        return true;
    }

    private static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;
}
