using Microsoft.Extensions.Logging;
using O2O.Grains.Journeys;
using O2O.Grains.Profiles;

namespace O2O.Grains.Segments;

[GenerateSerializer, Alias("o2o.due-wheel-state")]
public sealed class DueWheelState
{
    [Id(0)] public HashSet<string> Members { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public bool Registered { get; set; }
}

/// <inheritdoc cref="IDueWheelGrain"/>
public sealed partial class DueWheelGrain(
    [PersistentState("due-wheel", StorageNames.Campaigns)] IPersistentState<DueWheelState> state,
    ILogger<DueWheelGrain> logger) : Grain, IDueWheelGrain
{
    /// <summary>Wake-ups in flight at once: enough to keep a silo busy, few enough not to flood it.</summary>
    private const int Concurrency = 256;

    private (string Tenant, WheelKind Kind, long Bucket) Key
    {
        get
        {
            var (tenant, rest) = TenantKey.Split(this.GetPrimaryKeyString());
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            return (tenant, (WheelKind)byte.Parse(rest.AsSpan(0, slash), System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(rest.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public Task AddAsync(string id) => AddAllAsync([id]);

    public async Task AddAllAsync(IReadOnlyList<string> ids)
    {
        var added = 0;
        foreach (var id in ids)
        {
            added += state.State.Members.Add(id) ? 1 : 0;
        }
        if (added == 0)
        {
            return;
        }
        if (!state.State.Registered)
        {
            var (tenant, kind, bucket) = Key;
            await GrainFactory.GetGrain<ITenantClockGrain>(tenant).RegisterAsync(kind, bucket);
            state.State.Registered = true;
        }
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string id)
    {
        if (state.State.Members.Remove(id))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<int> CountAsync() => Task.FromResult(state.State.Members.Count);

    public async Task<WheelRun> RunAsync()
    {
        var (tenant, kind, bucket) = Key;
        var members = state.State.Members.ToArray();
        var failed = new List<string>();
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
            failed.AddRange(results.OfType<string>());
        }
        state.State.Members = new HashSet<string>(failed, StringComparer.Ordinal);
        if (failed.Count == 0)
        {
            await state.ClearStateAsync();
            state.State = new DueWheelState();
            DeactivateOnIdle();
        }
        else
        {
            await state.WriteStateAsync();
        }
        return new WheelRun(members.Length - failed.Count, failed.Count);
    }

    private Task WakeAsync(string tenant, WheelKind kind, long bucket, string id) => kind switch
    {
        WheelKind.Segments => GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, id)).ReevaluateSegmentsAsync(bucket),
        _ => GrainFactory.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(tenant, id)).WakeAsync(bucket),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking a member of {Kind} bucket {Bucket} failed; it stays for the next tick")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, WheelKind kind, long bucket);
}
