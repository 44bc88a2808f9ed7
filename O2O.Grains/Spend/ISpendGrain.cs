namespace O2O.Grains.Spend;

/// <summary>
/// A tenant's ad spend by day, channel, campaign, content and audience. Key: the tenant id.
/// A row sent again for the same day and tags replaces the earlier amount, so uploads can be repeated.
/// </summary>
public interface ISpendGrain : IGrainWithStringKey
{
    /// <summary>Stores the rows; returns how many there were.</summary>
    Task<int> RecordAsync(IReadOnlyList<SpendRow> rows);

    /// <summary>Spend per day and channel between two days (inclusive).</summary>
    Task<IReadOnlyList<DailySpend>> GetDailyAsync(DateOnly from, DateOnly to);
}

[GenerateSerializer, Immutable, Alias("o2o.daily-spend")]
public sealed record DailySpend(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] string Channel,
    [property: Id(2)] long Amount);

[GenerateSerializer, Alias("o2o.spend-state")]
public sealed class SpendState
{
    [Id(0)] public int Version { get; set; } = 1;
    /// <summary>Amounts keyed by <c>yyyy-MM-dd|channel|campaign|content|audience</c>.</summary>
    [Id(1)] public Dictionary<string, long> Amounts { get; set; } = [];
}

/// <inheritdoc cref="ISpendGrain"/>
public sealed class SpendGrain(
    [PersistentState("spend", StorageNames.Campaigns)] IPersistentState<SpendState> state) : Grain, ISpendGrain
{
    private SortedDictionary<DateOnly, Dictionary<string, long>>? _daily;

    public async Task<int> RecordAsync(IReadOnlyList<SpendRow> rows)
    {
        foreach (var r in rows)
        {
            state.State.Amounts[string.Join('|', r.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Channel, r.Campaign, r.Content, r.Audience)] = r.Amount;
        }
        _daily = null;
        await state.WriteStateAsync();
        return rows.Count;
    }

    public Task<IReadOnlyList<DailySpend>> GetDailyAsync(DateOnly from, DateOnly to)
    {
        _daily ??= Daily(state.State);
        IReadOnlyList<DailySpend> result = [.. _daily
            .Where(d => d.Key >= from && d.Key <= to)
            .SelectMany(d => d.Value.Select(c => new DailySpend(d.Key, c.Key, c.Value)))];
        return Task.FromResult(result);
    }

    private static SortedDictionary<DateOnly, Dictionary<string, long>> Daily(SpendState s)
    {
        var daily = new SortedDictionary<DateOnly, Dictionary<string, long>>();
        foreach (var (key, amount) in s.Amounts)
        {
            var parts = key.Split('|', 3);
            var day = DateOnly.ParseExact(parts[0], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            if (!daily.TryGetValue(day, out var channels))
            {
                daily[day] = channels = new Dictionary<string, long>(StringComparer.Ordinal);
            }
            channels[parts[1]] = channels.GetValueOrDefault(parts[1]) + amount;
        }
        return daily;
    }
}
