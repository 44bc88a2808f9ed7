using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace O2O.Grains.Identity;

/// <summary>
/// The resolver's memory of which profile owns an identity key, bounded to <c>capacity</c> entries kept
/// in two generations. New entries go into the current generation; when it holds half the capacity it
/// becomes the previous one, and the one before it is dropped. An entry found in the previous
/// generation moves into the current one, so the people being served stay cached as the cache turns
/// over: only an identifier nobody used for a whole generation is forgotten. (Emptying the whole cache
/// when it was full made every active person's next event ask their grains again.)
/// Keys are held as 128-bit hashes of the identity key, itself a keyed hash of the identifier: 16 bytes
/// inside the entry instead of a string of about 50 characters beside it.
/// </summary>
internal sealed class OwnerCache(int capacity)
{
    private readonly Lock _turning = new();
    private Generation _current = new();
    private Generation _previous = new();

    /// <summary>Entries held in both generations. Takes every lock of the cache: for tests, not a hot path.</summary>
    public int Count => Volatile.Read(ref _current).Owners.Count + Volatile.Read(ref _previous).Owners.Count;

    /// <summary>The owner cached for <paramref name="key"/>; a hit in the previous generation moves it into the current one.</summary>
    public bool TryGet(ReadOnlySpan<char> key, [NotNullWhen(true)] out string? profileId)
    {
        var hash = Hash(key);
        var current = Volatile.Read(ref _current);
        if (current.Owners.TryGetValue(hash, out profileId))
        {
            return true;
        }
        if (!Volatile.Read(ref _previous).Owners.TryGetValue(hash, out profileId))
        {
            return false;
        }
        // An owner set meanwhile in the current generation is newer: it stays.
        if (current.Owners.TryAdd(hash, profileId))
        {
            Added(current);
        }
        return true;
    }

    /// <summary>Records that <paramref name="profileId"/> owns <paramref name="key"/>.</summary>
    public void Set(ReadOnlySpan<char> key, string profileId)
    {
        var hash = Hash(key);
        var current = Volatile.Read(ref _current);
        if (current.Owners.TryGetValue(hash, out var known) && known == profileId)
        {
            // Remembering what is already cached (a located device, a redirect) changes nothing: a read takes no lock.
            return;
        }
        if (current.Owners.TryAdd(hash, profileId))
        {
            Added(current);
        }
        else
        {
            current.Owners[hash] = profileId;
        }
    }

    /// <summary>Forgets <paramref name="key"/> in both generations.</summary>
    public void Remove(ReadOnlySpan<char> key)
    {
        var hash = Hash(key);
        Volatile.Read(ref _current).Owners.TryRemove(hash, out _);
        Volatile.Read(ref _previous).Owners.TryRemove(hash, out _);
    }

    private void Added(Generation generation)
    {
        if (Interlocked.Increment(ref generation.Added) < capacity / 2)
        {
            return;
        }
        lock (_turning)
        {
            if (ReferenceEquals(_current, generation))
            {
                Volatile.Write(ref _previous, generation);
                Volatile.Write(ref _current, new Generation());
            }
        }
    }

    private static UInt128 Hash(ReadOnlySpan<char> key) => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(key));

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<UInt128, string> Owners = new();
        /// <summary>Entries added, counted apart because <see cref="ConcurrentDictionary{TKey,TValue}.Count"/> takes every lock.</summary>
        public int Added;
    }
}
