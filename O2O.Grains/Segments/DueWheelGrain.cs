using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Journeys;
using O2O.Grains.Profiles;
using Orleans.Concurrency;

namespace O2O.Grains.Segments;

[GenerateSerializer, Alias("o2o.due-wheel-state")]
public sealed class DueWheelState
{
    [Id(0)] public HashSet<string> Members { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public bool Registered { get; set; }

    /// <summary>Links of the bucket's chain (<see cref="IndexChain"/>) the head has spilled into; 0 on a link.</summary>
    [Id(2)] public int Links { get; set; }
}

/// <inheritdoc cref="IDueWheelGrain"/>
/// <remarks>
/// Reentrant, so the adds of concurrent batches share one write (<see cref="SerialWriter"/> with
/// <see cref="IndexOptions.WriteSpacing"/>); each add returns only once a write holding its ids is
/// stored. A bucket holds at most <see cref="IndexOptions.RowCapacity"/> ids in its own row and
/// spills the rest into chained links (<c>{key}/1</c>, <c>{key}/2</c>…, the same grain class), which
/// the head runs after its own members.
/// </remarks>
[Reentrant]
public sealed partial class DueWheelGrain(
    [PersistentState("due-wheel", StorageNames.Campaigns)] IPersistentState<DueWheelState> state,
    IOptions<IndexOptions> options,
    IOptions<StateWriteOptions> writes,
    ILogger<DueWheelGrain> logger) : Grain, IDueWheelGrain
{
    /// <summary>Wake-ups in flight at once: enough to keep a silo busy, few enough not to flood it.</summary>
    private const int Concurrency = 256;

    private readonly StateWriter<DueWheelState> _state = new(state, StorageNames.Campaigns, writes);
    // In-memory storage is written when the activation ends (StateWriter): nothing to pace then.
    private readonly bool _deferred = writes.Value.WriteOnDeactivation.Contains(StorageNames.Campaigns);
    private SerialWriter? _writer;
    private IndexChain? _chain;
    private (string Tenant, WheelKind Kind, long Bucket, int Link)? _key;
    private TaskCompletionSource? _finishing;

    private SerialWriter Writer => _writer ??= new(PersistAsync, _deferred ? TimeSpan.Zero : options.Value.WriteSpacing);

    private IndexChain Chain => _chain ??= new(
        () => state.State.Links, n => state.State.Links = n, Writer.WriteAsync,
        (n, ids) => GrainFactory.GetGrain<IDueWheelGrain>(IndexChain.LinkKey(this.GetPrimaryKeyString(), n)).TakeAsync(ids));

    private (string Tenant, WheelKind Kind, long Bucket, int Link) Key => _key ??= Parse(this.GetPrimaryKeyString());

    private bool IsHead => Key.Link == 0;

    public Task AddAsync(string id) => AddAllAsync([id]);

    public async Task AddAllAsync(IReadOnlyList<string> ids)
    {
        var rest = IndexChain.AddWhatFits(state.State.Members, ids, options.Value.RowCapacity, out var added);
        if (!added && rest.Length == 0)
        {
            return;
        }
        if (!state.State.Registered)
        {
            if (_finishing is { } finishing)
            {
                // The bucket was just run to the end: register again only once the clock has heard so,
                // or it would drop this registration with the run's.
                await finishing.Task;
                await Task.Yield();
            }
            var (tenant, kind, bucket, _) = Key;
            // One-way: the clock keeps a set, so a second registration by an interleaved add is harmless.
            await GrainFactory.GetGrain<ITenantClockGrain>(tenant).RegisterAsync(kind, bucket);
            state.State.Registered = true;
            added = true;
        }
        await Task.WhenAll(added ? Writer.WriteAsync() : Task.CompletedTask, rest.Length > 0 ? Chain.SpillAsync(rest) : Task.CompletedTask);
    }

    public async Task<string[]> TakeAsync(string[] ids)
    {
        var rest = IndexChain.AddWhatFits(state.State.Members, ids, options.Value.RowCapacity, out var added);
        if (added)
        {
            await Writer.WriteAsync();
        }
        return rest;
    }

    public async Task RemoveAsync(string id)
    {
        if (state.State.Members.Remove(id))
        {
            await Writer.WriteAsync();
        }
        else if (IsHead)
        {
            // Not here: it may have spilled into a link.
            for (var n = 1; n <= state.State.Links; n++)
            {
                await GrainFactory.GetGrain<IDueWheelGrain>(IndexChain.LinkKey(this.GetPrimaryKeyString(), n)).RemoveAsync(id);
            }
        }
    }

    public async Task<int> CountAsync()
    {
        var count = state.State.Members.Count;
        for (var n = 1; IsHead && n <= state.State.Links; n++)
        {
            count += await GrainFactory.GetGrain<IDueWheelGrain>(IndexChain.LinkKey(this.GetPrimaryKeyString(), n)).CountAsync();
        }
        return count;
    }

    public async Task<WheelRun> RunAsync()
    {
        var (tenant, kind, bucket, _) = Key;
        var spills = Chain.Spills;
        var members = state.State.Members.ToArray();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < members.Length; i += Concurrency)
        {
            var results = await Task.WhenAll(members[i..Math.Min(i + Concurrency, members.Length)].Select(async id =>
            {
                try
                {
                    await WakeAsync(tenant, kind, bucket, id);
                    return null;
                }
                catch (Exception ex)
                {
                    LogWakeFailed(logger, ex, kind, bucket);
                    return id;
                }
            }));
            failed.UnionWith(results.OfType<string>());
        }
        // Only the woken leave: members added while the run went on (reentrant) stay for the next tick.
        state.State.Members.ExceptWith(members.Where(m => !failed.Contains(m)));
        var woken = members.Length - failed.Count;
        var linksLeft = 0;
        for (var n = 1; IsHead && n <= state.State.Links; n++)
        {
            var run = await GrainFactory.GetGrain<IDueWheelGrain>(IndexChain.LinkKey(this.GetPrimaryKeyString(), n)).RunAsync();
            woken += run.Woken;
            linksLeft += run.Left;
        }
        // Counted after the links ran: adds interleaved with them are members too.
        var left = state.State.Members.Count + linksLeft;
        if (left == 0 && Chain.QuietSince(spills))
        {
            // Empty to the end of the chain, and nothing spilled meanwhile: the bucket is done (its rows are deleted).
            state.State.Links = 0;
            state.State.Registered = false;
            _finishing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            DeactivateOnIdle();
        }
        else if (left == 0)
        {
            // A spill ran beside the run: its ids may sit in a link already run; the next tick runs the chain again.
            left = 1;
        }
        try
        {
            await Writer.WriteAsync();
        }
        finally
        {
            _finishing?.TrySetResult();
        }
        return new WheelRun(woken, left);
    }

    /// <summary>Writes the row, or deletes it once it holds nothing the clock or the chain needs.</summary>
    private Task PersistAsync() =>
        _state.WriteOrDeleteAsync(holdsNothing: state.State is { Members.Count: 0, Links: 0, Registered: false });

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _state.DeactivatingAsync(reason, cancellationToken);

    private Task WakeAsync(string tenant, WheelKind kind, long bucket, string id) => kind switch
    {
        WheelKind.Segments => GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, id)).ReevaluateSegmentsAsync(bucket),
        _ => GrainFactory.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(tenant, id)).WakeAsync(bucket),
    };

    /// <summary>Reads <c>{tenant}/{kind}/{bucket}</c>, and the link number of <c>{tenant}/{kind}/{bucket}/{link}</c>.</summary>
    private static (string Tenant, WheelKind Kind, long Bucket, int Link) Parse(string key)
    {
        var (tenant, rest) = TenantKey.Split(key);
        var parts = rest.Split('/');
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return (tenant, (WheelKind)byte.Parse(parts[0], culture), long.Parse(parts[1], culture), parts.Length > 2 ? int.Parse(parts[2], culture) : 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking a member of {Kind} bucket {Bucket} failed; it stays for the next tick")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, WheelKind kind, long bucket);
}
