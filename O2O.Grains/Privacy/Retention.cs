using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using O2O.Grains.Profiles;

namespace O2O.Grains.Privacy;

/// <summary>
/// The anonymous profiles of one tenant last active on one day. Key: <c>{tenant}/{yyyy-MM-dd}</c>;
/// a day with more new visitors than a row holds chains links <c>{tenant}/{yyyy-MM-dd}/{n}</c>
/// (<see cref="IndexChain"/>). A profile lists itself under the day it was last active (moving when
/// that day changes), so the retention sweep finds idle profiles by reading a few day grains, with
/// no reminder per profile.
/// </summary>
public interface IRetentionDayGrain : IGrainWithStringKey
{
    Task AddAsync(string profileId);

    /// <summary>On a link of a day's chain (called by the head): holds what fits, answers the rest once the others are stored.</summary>
    Task<string[]> TakeAsync(string[] profileIds);

    Task RemoveAsync(string profileId);

    /// <summary>Asks every listed profile to expire if it is idle past retention; returns how many did.</summary>
    Task<int> SweepAsync();

    /// <summary>Profiles listed, the chain's links included.</summary>
    Task<int> CountAsync();
}

[GenerateSerializer, Alias("o2o.retention-day-state")]
public sealed class RetentionDayState
{
    [Id(0)] public HashSet<string> Profiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Links of the day's chain the head has spilled into; 0 on a link.</summary>
    [Id(1)] public int Links { get; set; }
}

/// <inheritdoc cref="IRetentionDayGrain"/>
/// <remarks>
/// Reentrant: a sweep waits on profiles, and a profile applying events may be adding itself here at
/// that moment; without interleaving the two would wait on each other. Interleaving also lets the
/// new visitors of concurrent batches share one write (<see cref="SerialWriter"/>, at most one per
/// <see cref="IndexOptions.WriteSpacing"/>); each add returns once a write listing it is stored.
/// Writes through <see cref="StateWriter{T}"/>: each write carries every profile the row lists, so
/// on in-memory storage writing per added profile copied the whole day per event (a tenth of the
/// ingest path's allocations with 30,000 new visitors a day).
/// </remarks>
[Reentrant]
public sealed class RetentionDayGrain(
    [PersistentState("retention-day", StorageNames.Profiles)] IPersistentState<RetentionDayState> state,
    IOptions<StateWriteOptions> writes,
    IOptions<IndexOptions> indexes) : Grain, IRetentionDayGrain
{
    private readonly StateWriter<RetentionDayState> _state = new(state, StorageNames.Profiles, writes);
    private readonly bool _deferred = writes.Value.WriteOnDeactivation.Contains(StorageNames.Profiles);
    private SerialWriter? _serial;
    private IndexChain? _chain;

    // Reentrant: many new visitors list themselves at once, and their writes must not overlap.
    private SerialWriter Writer => _serial ??= new(PersistAsync, _deferred ? TimeSpan.Zero : indexes.Value.WriteSpacing);

    private IndexChain Chain => _chain ??= new(
        () => state.State.Links, n => state.State.Links = n, Writer.WriteAsync, (n, ids) => Link(n).TakeAsync(ids));

    /// <summary>A link's key has a third part (<c>{tenant}/{day}/{n}</c>).</summary>
    private bool IsHead => TenantKey.Split(this.GetPrimaryKeyString()).Id.IndexOf('/', StringComparison.Ordinal) < 0;

    private IRetentionDayGrain Link(int n) => GrainFactory.GetGrain<IRetentionDayGrain>(IndexChain.LinkKey(this.GetPrimaryKeyString(), n));

    public async Task AddAsync(string profileId)
    {
        var rest = IndexChain.AddWhatFits(state.State.Profiles, [profileId], indexes.Value.RowCapacity, out var added);
        if (added)
        {
            await Writer.WriteAsync();
        }
        else if (rest.Length > 0)
        {
            await Chain.SpillAsync(rest);
        }
    }

    public async Task<string[]> TakeAsync(string[] profileIds)
    {
        var rest = IndexChain.AddWhatFits(state.State.Profiles, profileIds, indexes.Value.RowCapacity, out var added);
        if (added)
        {
            await Writer.WriteAsync();
        }
        return rest;
    }

    public async Task RemoveAsync(string profileId)
    {
        if (state.State.Profiles.Remove(profileId))
        {
            await Writer.WriteAsync();
        }
        else if (IsHead)
        {
            // Not here: it may have spilled into a link.
            await Task.WhenAll(Enumerable.Range(1, state.State.Links).Select(n => Link(n).RemoveAsync(profileId)));
        }
    }

    public async Task<int> CountAsync()
    {
        var links = IsHead ? await Task.WhenAll(Enumerable.Range(1, state.State.Links).Select(n => Link(n).CountAsync())) : [];
        return state.State.Profiles.Count + links.Sum();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _state.DeactivatingAsync(reason, cancellationToken);

    public async Task<int> SweepAsync()
    {
        var tenant = TenantKey.Split(this.GetPrimaryKeyString()).Tenant;
        var listed = state.State.Profiles.ToList();
        var expired = 0;
        foreach (var profileId in listed)
        {
            // A profile active on a later day, identified since, or erased answers false: it is listed
            // under its later day (or needs no listing) and leaves this one all the same.
            if (await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).ExpireIfIdleAsync())
            {
                expired++;
            }
        }
        state.State.Profiles.ExceptWith(listed);
        // The links one after another; the head keeps counting them (a later spill refills link 1 first).
        for (var n = 1; IsHead && n <= state.State.Links; n++)
        {
            expired += await Link(n).SweepAsync();
        }
        await Writer.WriteAsync();
        return expired;
    }

    /// <summary>
    /// The head is written even when empty (it keeps its link count); an emptied link's row is
    /// deleted. Through the serial writer, so a delete never overlaps a listing's write.
    /// </summary>
    private Task PersistAsync() => _state.WriteOrDeleteAsync(holdsNothing: state.State.Profiles.Count == 0 && !IsHead);
}

/// <summary>
/// Expires idle anonymous profiles of one tenant. Key: the tenant id. Each sweep walks the day
/// index from the oldest day not yet swept up to today minus retention. One daily reminder per tenant
/// (registered when its first anonymous profile is listed) runs it; <c>POST /api/privacy/retention/sweep</c>
/// runs it on demand.
/// </summary>
public interface IRetentionSweepGrain : IGrainWithStringKey
{
    /// <summary>Sweeps every day that fell out of retention since the last sweep; returns profiles expired.</summary>
    Task<int> SweepAsync();

    /// <summary>Makes sure the sweep knows the tenant has a profile listed on <paramref name="day"/>.</summary>
    Task NoteDayAsync(DateOnly day);
}

[GenerateSerializer, Alias("o2o.retention-sweep-state")]
public sealed class RetentionSweepState
{
    /// <summary>The earliest day with listed profiles not yet swept.</summary>
    [Id(0)] public DateOnly? OldestDay { get; set; }
    [Id(1)] public bool ReminderRegistered { get; set; }
}

/// <inheritdoc cref="IRetentionSweepGrain"/>
/// <remarks>Reentrant for the same reason as <see cref="RetentionDayGrain"/>: profiles note their day while a sweep runs.</remarks>
[Reentrant]
public sealed class RetentionSweepGrain(
    [PersistentState("retention-sweep", StorageNames.Profiles)] IPersistentState<RetentionSweepState> state,
    IOptions<PrivacyOptions> options,
    TimeProvider clock,
    ILogger<RetentionSweepGrain> logger) : Grain, IRetentionSweepGrain, IRemindable
{
    private const string DailySweep = "retention-sweep";
    private readonly SerialWriter _writer = new(() => state.WriteStateAsync());

    public async Task NoteDayAsync(DateOnly day)
    {
        var changed = false;
        if (state.State.OldestDay is not { } oldest || day < oldest)
        {
            state.State.OldestDay = day;
            changed = true;
        }
        // The day is stored either way: if the reminder service is still starting, the next note starts it.
        if (!state.State.ReminderRegistered && await this.TryStartAsync(DailySweep, TimeSpan.FromHours(1), TimeSpan.FromDays(1), logger))
        {
            state.State.ReminderRegistered = changed = true;
        }
        if (changed)
        {
            await _writer.WriteAsync();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == DailySweep ? SweepAsync() : Task.CompletedTask;

    public async Task<int> SweepAsync()
    {
        if (state.State.OldestDay is not { } start)
        {
            return 0;
        }
        var day = start;
        var tenant = this.GetPrimaryKeyString();
        var lastExpired = Retention.DayOf(clock.GetUtcNow() - options.Value.AnonymousRetention);
        var expired = 0;
        for (; day < lastExpired; day = day.AddDays(1))
        {
            expired += await GrainFactory.GetGrain<IRetentionDayGrain>(Retention.DayKey(tenant, day)).SweepAsync();
        }
        // A profile may have noted an older day while the sweep ran: that one is still to sweep.
        state.State.OldestDay = state.State.OldestDay < start ? state.State.OldestDay : day;
        await _writer.WriteAsync();
        PrivacyTelemetry.ProfilesExpired.Add(expired);
        return expired;
    }
}

/// <summary>Retention's calendar: UTC days.</summary>
public static class Retention
{
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    public static string DayKey(string tenant, DateOnly day) =>
        TenantKey.Compose(tenant, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>True when an anonymous profile last active at <paramref name="lastSeen"/> is past retention at <paramref name="now"/>.</summary>
    public static bool IsExpired(DateTimeOffset? lastSeen, DateTimeOffset now, TimeSpan retention) =>
        lastSeen is { } last && now - last > retention;
}
