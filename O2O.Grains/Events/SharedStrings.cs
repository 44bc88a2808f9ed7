using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace O2O.Grains.Events;

/// <summary>
/// One shared copy of the short strings that repeat across people: event and page names, paths,
/// product ids, UTM tags, store ids. Every profile keeps twenty events' worth of them, so without
/// sharing a million profiles hold millions of copies of "Product Viewed". The process keeps one
/// <see cref="StringPool"/> for them, bounded so text an attacker makes unique cannot grow it.
/// </summary>
public static class SharedStrings
{
    /// <summary>Distinct strings kept at most.</summary>
    public const int Capacity = 100_000;

    /// <summary>Longer strings are rarely repeated and are not pooled.</summary>
    public const int MaxLength = 200;

    /// <summary>The process's pool.</summary>
    public static StringPool Pool { get; } = new(Capacity, MaxLength);

    /// <summary>The shared copy of <paramref name="text"/> (see <see cref="StringPool.Share(string?)"/>).</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Intern(string? text) => Pool.Share(text);

    /// <summary>The shared copy of <paramref name="text"/>, allocating only the first time it is seen.</summary>
    public static string Intern(ReadOnlySpan<char> text) => Pool.Share(text);
}

/// <summary>
/// A bounded, thread-safe pool of strings: equal text gives back the same instance, so state that keeps
/// the same few values for every person holds one copy of each. Unlike <see cref="string.Intern(string)"/>
/// it forgets: it holds at most <c>capacity</c> strings of at most <c>maxLength</c> characters. When a
/// flood of distinct values (URLs with unique query strings, random names) fills it, it drops what it
/// holds and starts again, so it neither grows without limit nor stays full of one flood's values; the
/// strings handed out before live on only as long as the state that keeps them.
/// </summary>
public sealed class StringPool(int capacity, int maxLength)
{
    private Generation _current = new();

    /// <summary>Strings kept at most.</summary>
    public int Capacity => capacity;

    /// <summary>Longer text is handed back as it came.</summary>
    public int MaxLength => maxLength;

    /// <summary>Strings held now. Takes every lock of the pool: for tests and diagnostics, not a hot path.</summary>
    public int Count => Volatile.Read(ref _current).Strings.Count;

    /// <summary>The shared copy of <paramref name="text"/>: itself when it is the first, null or too long.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public string? Share(string? text)
    {
        if (text is null || text.Length > maxLength)
        {
            return text;
        }
        var pool = Volatile.Read(ref _current);
        return pool.Strings.TryGetValue(text, out var shared) ? shared : Add(pool, text);
    }

    /// <summary>The shared copy of <paramref name="text"/>; a hit allocates nothing.</summary>
    public string Share(ReadOnlySpan<char> text)
    {
        if (text.Length > maxLength)
        {
            return text.ToString();
        }
        if (text.IsEmpty)
        {
            return string.Empty;
        }
        var pool = Volatile.Read(ref _current);
        return pool.Spans.TryGetValue(text, out var shared) ? shared : Add(pool, text.ToString());
    }

    private string Add(Generation pool, string text)
    {
        if (Interlocked.Increment(ref pool.Added) > capacity)
        {
            // Full: the next caller starts a fresh generation. This string stays unshared.
            Interlocked.CompareExchange(ref _current, new Generation(), pool);
            return text;
        }
        var shared = pool.Strings.GetOrAdd(text, text);
        if (!ReferenceEquals(shared, text))
        {
            // Another thread added the same text first: it holds the slot.
            Interlocked.Decrement(ref pool.Added);
        }
        return shared;
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, string> Strings;
        public readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Spans;
        /// <summary>Strings added, kept apart because <see cref="ConcurrentDictionary{TKey,TValue}.Count"/> takes every lock.</summary>
        public int Added;

        public Generation()
        {
            Strings = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            Spans = Strings.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }
}
