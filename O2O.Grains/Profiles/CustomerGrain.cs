using Microsoft.Extensions.Options;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Journeys;
using O2O.Grains.Leads;
using O2O.Grains.Segments;
using O2O.Grains.Stores;

namespace O2O.Grains.Profiles;

/// <inheritdoc cref="ICustomerGrain"/>
public sealed class CustomerGrain(
    [PersistentState("profile", StorageNames.Profiles)] IPersistentState<ProfileState> state,
    IOptions<ProfileOptions> profileOptions,
    IOptions<ScoringOptions> scoringOptions,
    IOptions<AttributionOptions> attributionOptions,
    IOptions<StateWriteOptions> writes,
    IOptions<SegmentOptions> segmentOptions,
    IOptions<StoreOptions> storeOptions,
    TimeProvider clock) : Grain, ICustomerGrain
{
    private readonly SegmentOptions _segments = segmentOptions.Value;
    private readonly TimeSpan _utcOffset = storeOptions.Value.UtcOffset;
    private readonly ProfileOptions _profile = profileOptions.Value;
    private readonly ScoringOptions _scoring = scoringOptions.Value;
    private readonly AttributionSettings _attribution = attributionOptions.Value.ToSettings();
    private readonly StateWriter<ProfileState> _writer = new(state, StorageNames.Profiles, writes);

    private string Tenant => TenantKey.Split(this.GetPrimaryKeyString()).Tenant;

    private string ProfileId => TenantKey.Split(this.GetPrimaryKeyString()).Id;

    public async Task<ApplyResult> ApplyAsync(EventBatch batch)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return ApplyResult.Redirect(target);
        }

        var now = clock.GetUtcNow();
        var priorScore = s.Score.ScoreAt(now, _scoring.HalfLife);
        int applied = 0, duplicates = 0;
        List<StoreVisit>? visits = null;
        List<StoreOrder>? orders = null;
        List<ConversionCredits>? credits = null;
        List<NurtureSignal>? nurture = null;
        var latest = DateTimeOffset.MinValue;
        foreach (var e in batch.Events)
        {
            if (!s.Seen.TryAdd(e.MessageId, now))
            {
                duplicates++;
                continue;
            }
            ProfileProjection.Apply(s, e, _profile, _scoring);
            s.SegmentFacts.Observe(e, _segments);
            if (s.Nurtured && NurtureSignals.Of(e) is { } signal)
            {
                (nurture ??= []).AddRange(signal);
            }
            applied++;
            if (e is { Type: EventType.CheckIn, StoreId: { } store, CheckInMethod: { } method })
            {
                (visits ??= []).Add(new StoreVisit(store, method, e.Timestamp, ProfileId));
            }
            if (e.Order is { } order)
            {
                (orders ??= []).Add(new StoreOrder(e.StoreId ?? "online", order.OrderId, order.Source, order.Total, e.Timestamp, Identified: true));
            }
            if (ConversionAttribution.ConversionOf(e) is { } conversion)
            {
                (credits ??= []).Add(ConversionAttribution.Attribute(s.Touches, conversion.Kind, e.Timestamp, e.StoreId ?? "online", conversion.Revenue, _attribution));
            }
            latest = e.Timestamp > latest ? e.Timestamp : latest;
        }
        if (applied == 0)
        {
            return new ApplyResult { Duplicates = duplicates };
        }

        var funnel = new List<FunnelDelta>();
        ProfileProjection.CollectFunnelDeltas(s, funnel);
        var lead = Snapshot(s);
        var raise = RaiseLead(s, batch.Events, lead, priorScore);
        SegmentChange? segments;
        try
        {
            segments = await ResegmentAsync(s, now, draining: null);
            await _writer.WriteAsync();
        }
        catch
        {
            // The batch is applied in memory but not stored. Dropping this activation makes the caller's
            // retry re-read durable state and apply the batch again, instead of calling it all duplicates.
            DeactivateOnIdle();
            throw;
        }
        return new ApplyResult
        {
            Applied = applied,
            Duplicates = duplicates,
            Funnel = funnel,
            Visits = visits ?? [],
            Orders = orders ?? [],
            Lead = lead,
            Raise = raise,
            Credits = credits ?? [],
            LatestEventAt = latest,
            Segments = segments,
            Nurture = nurture ?? [],
        };
    }

    public async Task ReevaluateSegmentsAsync(long bucket)
    {
        var s = state.State;
        if (s.MergedInto is not null || s.Totals.Events == 0)
        {
            if (s.SegmentFacts.DueBucket == bucket)
            {
                s.SegmentFacts.DueBucket = null;
            }
            return;
        }
        var change = await ResegmentAsync(s, clock.GetUtcNow(), bucket);
        await _writer.WriteAsync();
        if (change is not null)
        {
            await Task.WhenAll(SegmentForwarding.Forward(GrainFactory, [(Tenant, change)]));
        }
    }

    /// <summary>
    /// Evaluates the segment rules and keeps the profile in exactly one due-wheel bucket: the one
    /// holding the next instant its segments could change with no event. Idle profiles cost nothing else.
    /// </summary>
    private async Task<SegmentChange?> ResegmentAsync(ProfileState s, DateTimeOffset now, long? draining)
    {
        var f = s.SegmentFacts;
        var inputs = new SegmentInputs(f.OrderTimes, s.Totals.Orders, s.Totals.Revenue, f.LastInterestAt, f.PromotionUses,
            f.NewArrivalViews, f.PointsActions, s.IsIdentified, s.Touches.Count > 0 || f.FromEvent);
        var evaluation = SegmentRules.Evaluate(inputs, now, _segments);
        var change = evaluation.Members != f.Current ? new SegmentChange(ProfileId, f.Current, evaluation.Members, now) : null;
        f.Current = evaluation.Members;
        long? bucket = evaluation.NextChange is { } due ? DueWheel.BucketOf(WheelKind.Segments, due, _utcOffset) : null;
        if (draining is not null && f.DueBucket == draining)
        {
            // The bucket being run empties itself; joining it again would wait on the run that called us.
            f.DueBucket = null;
            bucket = bucket <= draining ? draining + 1 : bucket;
        }
        if (bucket != f.DueBucket)
        {
            if (f.DueBucket is { } old)
            {
                GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Segments, old)).RemoveAsync(ProfileId).Ignore();
            }
            if (bucket is { } b)
            {
                await GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Segments, b)).AddAsync(ProfileId);
            }
            f.DueBucket = bucket;
        }
        return change;
    }

    public Task<MessageContact?> GetContactAsync()
    {
        var s = state.State;
        if (s.MergedInto is not null || s.Totals.Events == 0)
        {
            return Task.FromResult<MessageContact?>(null);
        }
        return Task.FromResult<MessageContact?>(new MessageContact
        {
            Name = s.DisplayName,
            Email = s.Identifiers.Find(i => i.Kind == IdentifierKind.Email).Value,
            Phone = s.Phone,
            ZaloId = s.Identifiers.Find(i => i.Kind == IdentifierKind.Zalo).Value,
            StoreId = s.LastStoreId,
            Orders = s.Totals.Orders,
            Traits = new Dictionary<string, string>(s.Traits),
        });
    }

    public async Task SetNurturedAsync()
    {
        if (!state.State.Nurtured)
        {
            state.State.Nurtured = true;
            await _writer.WriteAsync();
        }
    }

    public async Task SetMasterChannelAsync(MessageChannel channel)
    {
        if (state.State.MasterChannel != channel)
        {
            state.State.MasterChannel = channel;
            await _writer.WriteAsync();
        }
    }

    public async Task RaiseNurtureLeadAsync()
    {
        var s = state.State;
        if (s.MergedInto is not null || s.Totals.Events == 0)
        {
            return;
        }
        var lead = Snapshot(s);
        s.LeadTeam ??= lead.StoreId ?? LeadOptions.OnlineTeam;
        var request = new LeadRequest(lead, LeadTrigger.NurtureClick, s.LeadTeam, LeadInsights.FactsOf(s));
        await _writer.WriteAsync();
        await GrainFactory.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(Tenant, s.LeadTeam)).RaiseAsync([request]);
    }

    /// <summary>
    /// The lead this batch raises, sent to the team that already holds the person's open lead so
    /// that nobody ever has two open leads at once.
    /// </summary>
    private LeadRequest? RaiseLead(ProfileState s, IReadOnlyList<CustomerEvent> events, LeadSnapshot lead, int priorScore)
    {
        if (LeadTriggers.Detect(events, lead, priorScore, _scoring.HotThreshold) is not { } trigger)
        {
            return null;
        }
        s.LeadTeam ??= LeadTriggers.TeamOf(events, lead);
        return new LeadRequest(lead, trigger, s.LeadTeam, LeadInsights.FactsOf(s));
    }

    public Task<ProfileView?> GetAsync() => state.State switch
    {
        { MergedInto: { } target } => GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).GetAsync(),
        { Totals.Events: > 0 } s => Task.FromResult<ProfileView?>(ProfileView.From(ProfileId, s, clock.GetUtcNow(), _profile, _scoring)),
        _ => Task.FromResult<ProfileView?>(null),
    };

    public async Task<bool> MergeFromAsync(string sourceProfileId)
    {
        if (sourceProfileId == ProfileId)
        {
            return true;
        }
        if (state.State.MergedInto is not null)
        {
            return false;
        }
        var source = GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, sourceProfileId));
        var detached = await source.DetachIntoAsync(ProfileId);
        if (detached is null)
        {
            return false;
        }
        ProfileProjection.Absorb(state.State, detached, _profile, _scoring);
        state.State.SegmentFacts.Absorb(detached.SegmentFacts, _segments);
        await _writer.WriteAsync();
        await Task.WhenAll(detached.Identifiers.Select(id =>
            GrainFactory.GetGrain<IIdentityGrain>(TenantKey.Compose(Tenant, id.ToString())).ReassignAsync(sourceProfileId, ProfileId)));
        return true;
    }

    public async Task<ProfileState?> DetachIntoAsync(string targetProfileId)
    {
        var s = state.State;
        if (s.MergedInto is not null || s.IsIdentified)
        {
            return null;
        }
        var snapshot = s;
        state.State = new ProfileState { MergedInto = targetProfileId, Seen = s.Seen };
        await _writer.WriteAsync();
        return snapshot;
    }

    public async Task<bool> EraseAsync()
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).EraseAsync();
        }
        if (s.Totals.Events == 0)
        {
            return false;
        }
        await Task.WhenAll(s.Identifiers.Select(id =>
            GrainFactory.GetGrain<IIdentityGrain>(TenantKey.Compose(Tenant, id.ToString())).ReleaseAsync(ProfileId)));
        var boards = new[] { ILeadBoardGrain.AllStores, s.LastStoreId }.OfType<string>();
        await Task.WhenAll(boards.Select(b => GrainFactory.GetGrain<ILeadBoardGrain>(TenantKey.Compose(Tenant, b)).RemoveAsync(ProfileId)));
        if (s.LeadTeam is { } team)
        {
            await GrainFactory.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(Tenant, team)).ForgetAsync(ProfileId);
        }
        // Keep the dedup window: a replay of an erased person's old events must not bring them back.
        var seen = s.Seen;
        await state.ClearStateAsync();
        state.State = new ProfileState { Seen = seen };
        await _writer.WriteAsync();
        return true;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    public async Task<LeadSnapshot?> RecordOutcomeAsync(Leads.LeadOutcome outcome, string? lostReason, string? storeId)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).RecordOutcomeAsync(outcome, lostReason, storeId);
        }
        if (s.Totals.Events == 0)
        {
            return null;
        }
        Leads.LeadOutcomes.Apply(s, outcome, lostReason, storeId, clock.GetUtcNow(), _scoring, _profile.TimelineSize);
        if (Leads.LeadOutcomes.Closes(outcome))
        {
            s.LeadTeam = null;
        }
        await _writer.WriteAsync();
        return Snapshot(s);
    }

    public async Task LeadClosedAsync(string team)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).LeadClosedAsync(team);
            return;
        }
        if (s.LeadTeam != team)
        {
            return;
        }
        s.LeadTeam = null;
        await _writer.WriteAsync();
    }

    private LeadSnapshot Snapshot(ProfileState s) => new(
        ProfileId,
        s.DisplayName,
        ContactPoints.MaskPhone(s.Phone),
        s.Score.RawAt(s.Score.AsOf, _scoring.HalfLife),
        s.Score.AsOf,
        s.Stage,
        s.LastStoreId,
        s.Score.TopReasons());
}
