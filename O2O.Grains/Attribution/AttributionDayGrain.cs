using System.Globalization;
using Microsoft.Extensions.Options;
using O2O.Grains.Profiles;

namespace O2O.Grains.Attribution;

/// <inheritdoc cref="IAttributionDayGrain"/>
public sealed class AttributionDayGrain(
    // Read models live with the campaign aggregates they sit beside.
    [PersistentState("attribution-day", StorageNames.Campaigns)] IPersistentState<AttributionDayState> state,
    IOptions<StateWriteOptions> writes) : Grain, IAttributionDayGrain
{
    private readonly StateWriter<AttributionDayState> _writer = new(state, StorageNames.Campaigns, writes);
    private readonly Dictionary<(AttributionModel, TouchDimension, string?, string?, string?), DaySlice> _slices = [];

    public async Task RecordAsync(IReadOnlyList<AttributionDayUpdate> updates)
    {
        var fresh = updates.Where(u => state.State.Delivered.TryRecord(u.DeliveryId)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        foreach (var update in fresh)
        {
            AttributionDayAggregate.Add(state.State, update);
        }
        _slices.Clear();
        await _writer.WriteOrReloadAsync(this);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    public Task<DaySlice> GetAsync(AttributionModel model, TouchDimension by, string? channel = null, string? store = null, string? campaign = null)
    {
        if (!_slices.TryGetValue((model, by, channel, store, campaign), out var slice))
        {
            var day = DateOnly.ParseExact(TenantKey.Split(this.GetPrimaryKeyString()).Id, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            _slices[(model, by, channel, store, campaign)] = slice = AttributionDayAggregate.Slice(state.State, day, model, by, channel, store, campaign);
        }
        return Task.FromResult(slice);
    }
}

/// <summary>How a day's read model adds updates and answers queries; pure, so tests and benchmarks use it directly.</summary>
public static class AttributionDayAggregate
{
    public static void Add(AttributionDayState s, AttributionDayUpdate update)
    {
        foreach (var c in update.Conversions)
        {
            var store = Row(s.Stores, c.StoreId, 6);
            var purchase = c.Kind == ConversionKind.Purchase;
            var sign = c.Sign;
            store[purchase ? 2 : 0] += sign;
            store[4] += sign * c.Revenue;
            if (c.IsOrganic)
            {
                store[purchase ? 3 : 1] += sign;
                store[5] += sign * c.Revenue;
            }
            foreach (var credit in c.Credits)
            {
                var t = credit.Touch;
                var row = Row(s.Credit, string.Join('|', (int)credit.Model, t.Channel, t.Campaign, t.Content, t.Audience, c.StoreId), 3);
                row[purchase ? 1 : 0] += sign * credit.Credit;
                row[2] += sign * credit.Revenue;
            }
        }
        foreach (var delta in update.Funnel)
        {
            var scopes = delta.Scope.StartsWith("c:", StringComparison.Ordinal) && delta.Touch is { } touch
                ? new[] { delta.Scope, "ch:" + TouchKey.Of(touch).Channel }
                : [delta.Scope];
            foreach (var scope in scopes)
            {
                var counts = Row(s.Funnel, scope, FunnelStages.Count);
                for (var stage = delta.From + 1; stage <= delta.To; stage++)
                {
                    counts[FunnelStages.IndexOf(stage)]++;
                }
            }
        }
    }

    public static DaySlice Slice(AttributionDayState s, DateOnly day, AttributionModel model, TouchDimension by, string? channel = null, string? store = null, string? campaign = null)
    {
        var prefix = ((int)model).ToString(CultureInfo.InvariantCulture) + "|";
        var grouped = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var byChannel = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (key, v) in s.Credit)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var parts = key.Split('|');
            var storeOf = parts.Length > 5 ? parts[5] : "";
            if ((channel is not null && parts[1] != channel) || (store is not null && storeOf != store) || (campaign is not null && parts[2] != campaign))
            {
                continue;
            }
            var g = Row(grouped, by switch
            {
                TouchDimension.Channel => parts[1],
                TouchDimension.Campaign => parts[2],
                TouchDimension.Content => parts[3].Length == 0 ? "(none)" : parts[3],
                TouchDimension.Store => storeOf.Length == 0 ? "(none)" : storeOf,
                _ => parts[4].Length == 0 ? "(none)" : parts[4],
            }, 3);
            var ch = Row(byChannel, parts[1], 3);
            for (var i = 0; i < 3; i++)
            {
                g[i] += v[i];
                ch[i] += v[i];
            }
        }
        return new DaySlice(
            day,
            [.. grouped.Select(kv => new CreditRow(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2]))],
            [.. s.Stores.Where(kv => store is null || kv.Key == store).Select(kv => new StoreConversions(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3], kv.Value[4], kv.Value[5]))],
            [.. s.Funnel.Select(kv => new FunnelCounts(ScopeOf(kv.Key), kv.Key[(kv.Key.IndexOf(':') + 1)..], kv.Value))],
            [.. byChannel.Select(kv => new CreditRow(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2]))]);
    }

    private static FunnelScope ScopeOf(string key) => key[0] switch
    {
        's' => FunnelScope.Store,
        'c' when key[1] == 'h' => FunnelScope.Channel,
        _ => FunnelScope.Campaign,
    };

    private static long[] Row(Dictionary<string, long[]> map, string key, int size)
    {
        if (!map.TryGetValue(key, out var row))
        {
            map[key] = row = new long[size];
        }
        return row;
    }
}
