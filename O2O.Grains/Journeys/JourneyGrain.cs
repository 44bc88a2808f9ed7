using Microsoft.Extensions.Options;
using O2O.Grains.Segments;

namespace O2O.Grains.Journeys;

[GenerateSerializer, Alias("o2o.journey-state")]
public sealed class JourneyState
{
    [Id(0)] public JourneyDefinition? Definition { get; set; }
    /// <summary>Counters in <see cref="JourneyTally"/> order: entered, messaged, clicked, visited, purchased, goal, gave up, messages, delivered, failed, finished, leads.</summary>
    [Id(1)] public long[] Counts { get; set; } = new long[12];
    [Id(2)] public long Revenue { get; set; }
    [Id(3)] public long Cost { get; set; }
    [Id(4)] public Dictionary<SuppressReason, int> Suppressed { get; set; } = [];
}

/// <inheritdoc cref="IJourneyGrain"/>
public sealed class JourneyGrain(
    [PersistentState("journey", StorageNames.Campaigns)] IPersistentState<JourneyState> state,
    IOptions<StateWriteOptions> writes) : Grain, IJourneyGrain
{
    private static readonly TimeSpan WriteDelay = TimeSpan.FromSeconds(1);
    private readonly StateWriter<JourneyState> _writer = new(state, StorageNames.Campaigns, writes);

    private string Tenant => TenantKey.Split(this.GetPrimaryKeyString()).Tenant;

    public async Task<JourneyDefinition> SaveAsync(JourneyDefinition definition)
    {
        var old = state.State.Definition;
        var saved = definition with { Version = (old?.Version ?? 0) + 1 };
        state.State.Definition = saved;
        await _writer.WriteAsync();
        await GrainFactory.GetGrain<IJourneyCatalogGrain>(Tenant).AddAsync(saved.Id);
        if (AudienceOf(old) is { } before && (AudienceOf(saved) != before))
        {
            await GrainFactory.GetGrain<ISegmentGrain>(SegmentKey.For(Tenant, before)).SetAudienceAsync(saved.Id, false);
        }
        if (AudienceOf(saved) is { } after)
        {
            await GrainFactory.GetGrain<ISegmentGrain>(SegmentKey.For(Tenant, after)).SetAudienceAsync(saved.Id, true);
        }
        return saved;
    }

    public Task<JourneyDefinition?> GetDefinitionAsync() => Task.FromResult(state.State.Definition);

    public Task<JourneyReport?> GetReportAsync()
    {
        var s = state.State;
        if (s.Definition is not { } definition)
        {
            return Task.FromResult<JourneyReport?>(null);
        }
        var c = s.Counts;
        return Task.FromResult<JourneyReport?>(new JourneyReport
        {
            Definition = definition,
            Entered = (int)c[0],
            Messaged = (int)c[1],
            Clicked = (int)c[2],
            Visited = (int)c[3],
            Purchased = (int)c[4],
            GoalReached = (int)c[5],
            GaveUp = (int)c[6],
            Messages = (int)c[7],
            Delivered = (int)c[8],
            Failed = (int)c[9],
            Finished = (int)c[10],
            Leads = (int)c[11],
            Revenue = s.Revenue,
            Cost = s.Cost,
            Suppressed = new Dictionary<SuppressReason, int>(s.Suppressed),
        });
    }

    public Task RecordAsync(JourneyTally t)
    {
        var s = state.State;
        var c = s.Counts;
        c[0] += t.Entered;
        c[1] += t.Messaged;
        c[2] += t.Clicked;
        c[3] += t.Visited;
        c[4] += t.Purchased;
        c[5] += t.GoalReached;
        c[6] += t.GaveUp;
        c[7] += t.Messages;
        c[8] += t.Delivered;
        c[9] += t.Failed;
        c[10] += t.Finished;
        c[11] += t.Leads;
        s.Revenue += t.Revenue;
        s.Cost += t.Cost;
        if (t.Suppressed is { } reason)
        {
            s.Suppressed[reason] = s.Suppressed.GetValueOrDefault(reason) + 1;
        }
        _writer.WriteSoon(this, WriteDelay);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    /// <summary>The segment whose entries start this journey while it is on.</summary>
    private static Segment? AudienceOf(JourneyDefinition? d) =>
        d is { Active: true, Audience.Segment: { } slug } && SegmentCatalog.TryParse(slug, out var segment) ? segment : null;
}

[GenerateSerializer, Alias("o2o.journey-catalog-state")]
public sealed class JourneyCatalogState
{
    [Id(0)] public List<string> Journeys { get; set; } = [];
}

/// <inheritdoc cref="IJourneyCatalogGrain"/>
public sealed class JourneyCatalogGrain(
    [PersistentState("journey-catalog", StorageNames.Campaigns)] IPersistentState<JourneyCatalogState> state) : Grain, IJourneyCatalogGrain
{
    public async Task AddAsync(string journeyId)
    {
        if (!state.State.Journeys.Contains(journeyId))
        {
            state.State.Journeys.Add(journeyId);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Journeys]);
}

[GenerateSerializer, Alias("o2o.channel-prior-state")]
public sealed class ChannelPriorState
{
    [Id(0)] public Dictionary<MessageChannel, ChannelTally> Channels { get; set; } = [];
}

/// <inheritdoc cref="IChannelPriorGrain"/>
public sealed class ChannelPriorGrain(
    [PersistentState("channel-prior", StorageNames.Campaigns)] IPersistentState<ChannelPriorState> state,
    IOptions<StateWriteOptions> writes) : Grain, IChannelPriorGrain
{
    private readonly StateWriter<ChannelPriorState> _writer = new(state, StorageNames.Campaigns, writes);

    public Task RecordAsync(MessageChannel channel, int sent, int responded)
    {
        var old = state.State.Channels.GetValueOrDefault(channel) ?? new ChannelTally(0, 0);
        state.State.Channels[channel] = new ChannelTally(old.Sent + sent, old.Responded + responded);
        _writer.WriteSoon(this, TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<MessageChannel, ChannelTally>> GetAsync() =>
        Task.FromResult<IReadOnlyDictionary<MessageChannel, ChannelTally>>(new Dictionary<MessageChannel, ChannelTally>(state.State.Channels));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);
}
