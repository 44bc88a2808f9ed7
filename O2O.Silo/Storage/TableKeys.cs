using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace O2O.Silo.Storage;

/// <summary>
/// Turns grain ids and state names into Azure Table keys. Table keys may not contain
/// <c>/ \ # ?</c> or control characters; each of those (and the escape character itself) becomes
/// <c>~XX</c> (two hex digits), so keys stay readable, Vietnamese text passes through as is, and
/// the mapping is reversible.
/// </summary>
public static class TableKeys
{
    private const char Escape = '~';

    /// <summary>Azure caps a key at 1 KiB; longer keys keep a readable head and a hash of the whole.</summary>
    private const int MaxLength = 400;

    /// <summary>The key for <paramref name="value"/>.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                builder.Append(Escape).Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        if (builder.Length <= MaxLength)
        {
            return builder.ToString();
        }
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        return string.Concat(builder.ToString(0, MaxLength - hash.Length - 2), "~h", hash);
    }

    /// <summary>The value an <see cref="Encode"/>d key came from (keys shortened by hashing excepted).</summary>
    public static string Decode(string key)
    {
        var builder = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == Escape && i + 2 < key.Length
                && int.TryParse(key.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else
            {
                builder.Append(key[i]);
            }
        }
        return builder.ToString();
    }

    /// <summary>The row key of the <paramref name="index"/>-th overflow row (1-based) of one generation of a state.</summary>
    /// <remarks>'s' is not a hex digit, so no escaped state name can collide with an overflow row.</remarks>
    public static string OverflowRow(string rowKey, string generation, int index) =>
        string.Concat(rowKey, "~s", generation, "~", index.ToString("D3", CultureInfo.InvariantCulture));

    /// <summary>The prefix shared by the overflow rows of one generation of a state.</summary>
    public static string OverflowGeneration(string rowKey, string generation) => string.Concat(rowKey, "~s", generation, "~");

    /// <summary>Lower (inclusive) and upper (exclusive) row keys spanning every overflow row of a state.</summary>
    public static (string From, string To) OverflowRange(string rowKey) => (rowKey + "~s", rowKey + "~t");

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or Escape or '%' || char.IsControl(c);
}
