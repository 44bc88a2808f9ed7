using Microsoft.Extensions.Options;
using O2O.Grains.Journeys;
using O2O.Grains.Stores;

namespace O2O.Grains.Segments;

[GenerateSerializer, Alias("o2o.segment-state")]
public sealed class SegmentState
{
    [Id(0)] public HashSet<string> Members { get; set; } = new(StringComparer.Ordinal);
    /// <summary>[entered, exited] by local day number (<see cref="DateOnly.DayNumber"/>), the last <see cref="SegmentGrain.DaysKept"/> days.</summary>
    [Id(1)] public Dictionary<int, int[]> Days { get; set; } = [];
    [Id(2)] public HashSet<string> Journeys { get; set; } = new(StringComparer.Ordinal);
}

/// <inheritdoc cref="ISegmentGrain"/>
public sealed class SegmentGrain(
    [PersistentState("segment", StorageNames.Campaigns)] IPersistentState<SegmentState> state,
    IOptions<StoreOptions> storeOptions,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock) : Grain, ISegmentGrain
{
    public const int DaysKept = 90;

    /// <summary>Membership moves with every batch; one write a second carries them all.</summary>
    private static readonly TimeSpan WriteDelay = TimeSpan.FromSeconds(1);

    private readonly StateWriter<SegmentState> _writer = new(state, StorageNames.Campaigns, writes);
    private readonly TimeSpan _offset = storeOptions.Value.UtcOffset;

    private (string Tenant, string Slug) Key => TenantKey.Split(this.GetPrimaryKeyString());

    public Task RecordAsync(IReadOnlyList<SegmentMove> moves)
    {
        var s = state.State;
        List<string>? entered = null;
        foreach (var move in moves)
        {
            var changed = move.Entered ? s.Members.Add(move.ProfileId) : s.Members.Remove(move.ProfileId);
            if (!changed)
            {
                continue;
            }
            var day = DayOf(move.At);
            if (!s.Days.TryGetValue(day, out var counts))
            {
                s.Days[day] = counts = new int[2];
            }
            counts[move.Entered ? 0 : 1]++;
            if (move.Entered)
            {
                (entered ??= []).Add(move.ProfileId);
            }
        }
        Trim(s);
        if (entered is not null && s.Journeys.Count > 0)
        {
            var tenant = Key.Tenant;
            foreach (var profileId in entered)
            {
                var person = GrainFactory.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(tenant, profileId));
                foreach (var journey in s.Journeys)
                {
                    _ = person.EnterAsync(journey);
                }
            }
        }
        _writer.WriteSoon(this, WriteDelay);
        return Task.CompletedTask;
    }

    public Task<SegmentStats> GetStatsAsync(int days)
    {
        var s = state.State;
        var today = DayOf(clock.GetUtcNow());
        var list = new List<SegmentDay>();
        for (var d = today - Math.Clamp(days, 1, DaysKept) + 1; d <= today; d++)
        {
            var counts = s.Days.GetValueOrDefault(d);
            list.Add(new SegmentDay(DateOnly.FromDayNumber(d), counts?[0] ?? 0, counts?[1] ?? 0));
        }
        SegmentCatalog.TryParse(Key.Slug, out var segment);
        return Task.FromResult(new SegmentStats(Key.Slug, SegmentCatalog.Label(segment), s.Members.Count, list, [.. s.Journeys]));
    }

    public Task<IReadOnlyList<string>> GetMembersAsync(int skip, int take) =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Members.Order(StringComparer.Ordinal).Skip(skip).Take(take)]);

    public async Task SetAudienceAsync(string journeyId, bool active)
    {
        var changed = active ? state.State.Journeys.Add(journeyId) : state.State.Journeys.Remove(journeyId);
        if (changed)
        {
            await _writer.WriteAsync();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    private int DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(_offset).DateTime).DayNumber;

    private void Trim(SegmentState s)
    {
        if (s.Days.Count <= DaysKept)
        {
            return;
        }
        var oldest = DayOf(clock.GetUtcNow()) - DaysKept;
        foreach (var day in s.Days.Keys.Where(d => d <= oldest).ToList())
        {
            s.Days.Remove(day);
        }
    }
}
