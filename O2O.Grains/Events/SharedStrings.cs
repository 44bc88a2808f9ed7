using System.Collections.Concurrent;

namespace O2O.Grains.Events;

/// <summary>
/// One shared copy of the short strings that repeat across people: event and page names, paths,
/// product ids, UTM tags. Every profile keeps twenty events' worth of them, so without sharing a
/// million profiles hold millions of copies of "Product Viewed". Bounded, so text an attacker makes
/// unique cannot grow it without limit: once full, strings are kept as they came.
/// </summary>
public static class SharedStrings
{
    /// <summary>Distinct strings kept at most.</summary>
    public const int Capacity = 100_000;

    /// <summary>Longer strings are rarely repeated and are not pooled.</summary>
    public const int MaxLength = 200;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static int _count;

    /// <summary>The shared copy of <paramref name="text"/> (itself when it is the first, too long, or the pool is full).</summary>
    public static string? Intern(string? text)
    {
        if (text is null || text.Length > MaxLength)
        {
            return text;
        }
        if (Pool.TryGetValue(text, out var shared))
        {
            return shared;
        }
        if (Volatile.Read(ref _count) >= Capacity)
        {
            return text;
        }
        shared = Pool.GetOrAdd(text, text);
        if (ReferenceEquals(shared, text))
        {
            Interlocked.Increment(ref _count);
        }
        return shared;
    }
}
