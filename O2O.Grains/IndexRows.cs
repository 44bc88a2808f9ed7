using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace O2O.Grains;

/// <summary>
/// How the tenant-wide index grains (due-wheel buckets, retention days) store their member sets
/// (section <c>O2O:Indexes</c>).
/// </summary>
public sealed class IndexOptions
{
    public const string Section = "O2O:Indexes";

    /// <summary>
    /// Ids one index row holds before further ones spill into a chained row. Orleans' Table provider
    /// stores at most about 960 KB of state per entity (15 properties of 64 KB); a profile id
    /// (<c>p_</c> and 24 hex digits) takes about 28 bytes serialised, so 20,000 ids are some 560 KB
    /// and 30,000 the most that stays clear of the limit. A row rewrites all it holds on every write.
    /// </summary>
    [Range(1, 30_000)] public int RowCapacity { get; set; } = 20_000;

    /// <summary>
    /// Least time between two writes of one index row. Adds always share a write when they arrive
    /// while one is in flight (group commit); a spacing makes them wait for company, trading each
    /// caller's latency for fewer writes (0.25 s: about a third fewer index writes for new people,
    /// and fewer events/s at 8 batches in flight; bench/README.md, issue 13). Every caller returns
    /// only once a write holding its ids is stored, whatever the spacing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan WriteSpacing { get; set; } = TimeSpan.Zero;
}

/// <summary>
/// The chain of an index whose member set would outgrow a Table row. The head row (key <c>K</c>)
/// holds up to <see cref="IndexOptions.RowCapacity"/> ids and the number of links it spilled into;
/// link <c>n</c> (key <c>K/n</c>) holds the next ones. The head records a link before anything is
/// put in it, so whoever walks the chain from the head finds every id. A small tenant never spills:
/// one row, one write per flush.
/// </summary>
/// <param name="links">How many links the head knows.</param>
/// <param name="setLinks">Records a new link count in the head (stored by <paramref name="writeHead"/>).</param>
/// <param name="writeHead">Stores the head (its link count).</param>
/// <param name="take">Asks link n to hold what fits of the ids; answers those that did not fit.</param>
public sealed class IndexChain(Func<int> links, Action<int> setLinks, Func<Task> writeHead, Func<int, string[], Task<string[]>> take)
{
    // The first link that may have room, in this activation; a link that answers full moves it on.
    private int _cursor = 1;
    private int _spilling;
    private long _spills;

    /// <summary>Spills started so far; <see cref="QuietSince"/> tells whether any ran or started since.</summary>
    public long Spills => _spills;

    /// <summary>True when no spill is under way and none started since <paramref name="spills"/> was read.</summary>
    public bool QuietSince(long spills) => _spilling == 0 && _spills == spills;

    /// <summary>Puts <paramref name="ids"/> into the links; returns once every one of them is stored in one.</summary>
    public async Task SpillAsync(string[] ids)
    {
        _spilling++;
        _spills++;
        try
        {
            while (ids.Length > 0)
            {
                var link = _cursor;
                if (link > links())
                {
                    setLinks(link);
                    await writeHead();
                }
                ids = await take(link, ids);
                if (ids.Length > 0)
                {
                    _cursor = Math.Max(_cursor, link + 1);
                }
            }
        }
        finally
        {
            _spilling--;
        }
    }

    /// <summary>Splits off the ids a row with <paramref name="members"/> has no room for, after adding the others.</summary>
    public static string[] AddWhatFits(HashSet<string> members, IEnumerable<string> ids, int capacity, out bool added)
    {
        added = false;
        List<string>? rest = null;
        foreach (var id in ids)
        {
            if (members.Contains(id))
            {
                continue;
            }
            if (members.Count < capacity)
            {
                members.Add(id);
                added = true;
            }
            else
            {
                (rest ??= []).Add(id);
            }
        }
        return rest is null ? [] : [.. rest.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The key of link <paramref name="link"/> of the chain headed by <paramref name="headKey"/>.</summary>
    public static string LinkKey(string headKey, int link) => string.Create(CultureInfo.InvariantCulture, $"{headKey}/{link}");
}
