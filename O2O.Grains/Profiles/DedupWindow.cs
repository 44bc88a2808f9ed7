using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace O2O.Grains.Profiles;

/// <summary>
/// Remembers the message ids a grain has applied, so a replayed or retried event counts once.
/// The window is bounded two ways: ids older than <see cref="MaxAge"/> (48 hours, as Meta's
/// Conversions API deduplicates) and beyond the newest <see cref="MaxEntries"/> are forgotten.
/// Ids are kept as 64-bit hashes: 16 bytes an event instead of a string.
/// </summary>
[GenerateSerializer, Alias("o2o.dedup")]
public sealed class DedupWindow
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(48);
    public const int MaxEntries = 512;

    [Id(0)] public List<ulong> Hashes { get; set; } = [];
    [Id(1)] public List<long> SeenAtTicks { get; set; } = [];

    /// <summary>Records the id; false when it was already seen inside the window.</summary>
    public bool TryAdd(string messageId, DateTimeOffset now)
    {
        var hash = Hash(messageId);
        if (Hashes.Contains(hash))
        {
            return false;
        }
        Trim(now);
        Hashes.Add(hash);
        SeenAtTicks.Add(now.UtcTicks);
        return true;
    }

    public bool Contains(string messageId) => Hashes.Contains(Hash(messageId));

    private void Trim(DateTimeOffset now)
    {
        var cutoff = (now - MaxAge).UtcTicks;
        var drop = 0;
        while (drop < SeenAtTicks.Count && (SeenAtTicks[drop] < cutoff || Hashes.Count - drop >= MaxEntries))
        {
            drop++;
        }
        if (drop > 0)
        {
            Hashes.RemoveRange(0, drop);
            SeenAtTicks.RemoveRange(0, drop);
        }
    }

    private static ulong Hash(string messageId) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(messageId.AsSpan()));
}
