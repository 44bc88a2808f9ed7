using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O2O.Grains.AdExport;
using O2O.Grains.Attribution;
using O2O.Grains.Consent;
using O2O.Grains.Directory;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;
using O2O.Grains.Ingestion.Checkpoints;
using O2O.Grains.Leads;
using O2O.Grains.Privacy;
using O2O.Grains.Segments;
using O2O.Grains.Stores;
using Orleans.Storage;

namespace O2O.Grains.Profiles;

/// <inheritdoc cref="ICustomerGrain"/>
public sealed class CustomerGrain(
    [PersistentState("profile", StorageNames.Profiles)] IPersistentState<ProfileState> state,
    IOptions<ProfileOptions> profileOptions,
    IOptions<ScoringOptions> scoringOptions,
    IOptions<AttributionOptions> attributionOptions,
    IOptions<StateWriteOptions> writes,
    IOptions<PrivacyOptions> privacyOptions,
    Pseudonyms pseudonyms,
    IOptions<SegmentOptions> segmentOptions,
    IOptions<StoreOptions> storeOptions,
    [FromKeyedServices(StorageNames.Identities)] IGrainStorage identities,
    TimeProvider clock) : Grain, ICustomerGrain
{
    private readonly SegmentOptions _segments = segmentOptions.Value;
    private readonly TimeSpan _utcOffset = storeOptions.Value.UtcOffset;
    private readonly TimeSpan _anonymousRetention = privacyOptions.Value.AnonymousRetention;
    private readonly ProfileOptions _profile = profileOptions.Value;
    private readonly ScoringOptions _scoring = scoringOptions.Value;
    private readonly AttributionSettings _attribution = attributionOptions.Value.Settings;
    private readonly StateWriter<ProfileState> _writer = new(state, StorageNames.Profiles, writes);
    // Deferred batches (Event Hubs) were applied to this activation only: a checkpoint or the end of
    // the activation writes them. A checkpoint that finds another activation knows they were lost.
    private readonly Guid _activation = Guid.NewGuid();
    private bool _unwritten;
    private bool _discard;

    // The grain key's halves, decoded once: every batch names the person in its deliveries, and the
    // aggregates, indexes and boards that keep that one copy hold no copies of their own. The whole key
    // is not kept (80-odd bytes per active person): only the outbox's ids start with it.
    private string? _tenant;
    private string? _profileId;

    private string Key => this.GetPrimaryKeyString();

    /// <summary>The id of this profile's next owed delivery, <c>{key}#{sequence}</c>, written from the grain id without a copy of the key.</summary>
    private string OutboxId(long sequence)
    {
        var key = this.GetGrainId().Key.AsSpan();
        if (key.Length > 256)
        {
            return $"{Key}#{sequence}";
        }
        Span<char> chars = stackalloc char[key.Length];
        var length = System.Text.Encoding.UTF8.GetChars(key, chars);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(ReadOnlySpan<char>)chars[..length]}#{sequence}");
    }

    private string Tenant => _tenant ?? SplitKey().Tenant;

    private string ProfileId => _profileId ?? SplitKey().ProfileId;

    private (string Tenant, string ProfileId) SplitKey()
    {
        var (tenant, profileId) = TenantKey.Split(Key);
        (_tenant, _profileId) = (SharedStrings.Intern(tenant)!, profileId);
        return (_tenant, _profileId);
    }

    public async Task<ApplyResult> ApplyAsync(EventBatch batch)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return ApplyResult.Redirect(target);
        }

        if (batch.Deferred && batch.ExpectedActivation != Guid.Empty && batch.ExpectedActivation != _activation)
        {
            // The partition's earlier batches for this person died with another activation: apply
            // nothing until the partition replays them, so the person's events apply in order.
            return new ApplyResult { Lost = true };
        }

        if (s.ErasedAt is not null)
        {
            // The person was erased: a stale cache or a replay must not bring them back.
            PrivacyTelemetry.EventsSuppressed.Add(batch.Events.Count);
            return new ApplyResult { Erased = true };
        }

        var now = clock.GetUtcNow();
        if (!s.IsIdentified && Retention.IsExpired(s.Totals.LastSeen, now, _anonymousRetention))
        {
            // The device comes back after its history expired: it starts again as a new visitor.
            state.State = s = new ProfileState { Identifiers = s.Identifiers, Seen = s.Seen, RetentionDay = s.RetentionDay, Outbox = s.Outbox, OutboxSequence = s.OutboxSequence };
        }
        if (!batch.Deferred && s.Outbox.Count >= _profile.MaxOwedDeliveries && batch.Events.Count(e => !s.Seen.Contains(e.MessageId)) is > 0 and var unseen)
        {
            // Back-pressure, never a drop: nothing new applies until the aggregates took what is owed.
            // (Deferred batches are exempt: their partition's checkpoint delivers the outbox, and holding
            // them back would stall the partition before it.)
            return new ApplyResult { Duplicates = batch.Events.Count - unseen, HeldBack = unseen, Owed = CheckpointOutbox.Unclaimed(s.Outbox) };
        }
        var sharedBefore = s.Consents.Check(ConsentPurpose.AdSharing).Allowed;
        var priorScore = s.Score.ScoreAt(now, _scoring.HalfLife);
        int applied = 0, duplicates = 0;
        List<StoreVisit>? visits = null;
        List<StoreOrder>? orders = null;
        List<ConversionCredits>? credits = null;
        List<NurtureSignal>? nurture = null;
        var latest = DateTimeOffset.MinValue;
        foreach (var given in batch.Events)
        {
            var e = given;
            if (e.OrderStep is not null)
            {
                // Orders are applied once per order version, not per message id (see ProfileOrders).
                (var admission, e) = ProfileOrders.Admit(s, e);
                if (admission != OrderAdmission.Apply)
                {
                    if (admission == OrderAdmission.Seen)
                    {
                        duplicates++;
                    }
                    else
                    {
                        applied++;
                    }
                    continue;
                }
            }
            else if (!s.Seen.TryAdd(e.MessageId, now))
            {
                duplicates++;
                continue;
            }
            ProfileProjection.Apply(s, e, _profile, _scoring);
            RecordConsents(s, e);
            s.Nurture.Segments.Observe(e, _segments);
            if (s.Nurture.InJourneys && NurtureSignals.Of(e) is { } signal)
            {
                (nurture ??= []).AddRange(signal);
            }
            applied++;
            if (e is { Type: EventType.CheckIn, StoreId: { } store, CheckInMethod: { } method })
            {
                (visits ??= []).Add(new StoreVisit(store, method, e.Timestamp, ProfileId));
            }
            if (e.Order is { IsReversed: false } order)
            {
                (orders ??= []).Add(new StoreOrder(e.StoreId ?? "online", order.OrderId, order.Source, order.Total, e.Timestamp, Identified: true));
            }
            if (ConversionAttribution.ConversionOf(e) is { } conversion)
            {
                var credit = ConversionAttribution.Attribute(s.Touches, conversion.Kind, e.Timestamp, e.StoreId ?? "online", conversion.Revenue, _attribution);
                if (e.Order is { IsReversed: true })
                {
                    (credits ??= []).Add(credit with { Retracted = true });
                }
                else
                {
                    (credits ??= []).Add(credit);
                    RecordConversion(s, e, conversion.Kind, conversion.Revenue);
                }
            }
            latest = e.Timestamp > latest ? e.Timestamp : latest;
        }
        if (applied == 0)
        {
            if (batch.Deferred)
            {
                // A replay after a crash: the partition's next checkpoint delivers whatever is owed.
                return new ApplyResult { Duplicates = duplicates, Activation = _activation };
            }
            if (_unwritten)
            {
                // Deferred changes are delivered only once stored, whoever delivers them.
                await WriteOrReloadAsync();
            }
            // A retry or replay: whatever the first attempt left undelivered is still owed.
            return new ApplyResult { Duplicates = duplicates, Owed = CheckpointOutbox.Unclaimed(s.Outbox) };
        }

        SegmentChange? segments;
        long? dueBucket;
        try
        {
            await IndexAsync(s, sharedBefore);
            (segments, dueBucket) = Resegment(s, now, draining: null);
        }
        catch
        {
            // The events are applied in memory only: drop them (never write them) so the caller's retry applies them again.
            _discard = true;
            DeactivateOnIdle();
            throw;
        }
        var funnel = new List<FunnelDelta>();
        ProfileProjection.CollectFunnelDeltas(s, funnel);
        var lead = Snapshot(s);
        var raise = RaiseLead(s, batch.Events, lead, priorScore);
        var owed = new OwedDelivery
        {
            Id = OutboxId(s.OutboxSequence + 1),
            Funnel = funnel,
            Visits = visits ?? [],
            Orders = orders ?? [],
            Credits = credits ?? [],
            LatestEventAt = latest,
            // A deferred batch's lead goes out at once and is not owed: consultants do not wait for
            // the checkpoint, and a raise delivered again after the lead was closed would reopen it.
            Raise = batch.Deferred ? null : raise,
            Segments = segments,
            Nurture = nurture ?? [],
            // Entered with the batch's other deliveries, after this write: one wheel write per batch, not per person.
            DueBucket = dueBucket,
        };
        if (!owed.IsEmpty)
        {
            s.OutboxSequence++;
            s.Outbox.Add(owed);
        }
        if (batch.Deferred)
        {
            // The event hub holds these events until the partition's checkpoint has this state written.
            _unwritten = true;
            return new ApplyResult { Applied = applied, Duplicates = duplicates, Lead = lead, Activation = _activation, Raise = raise };
        }
        // Stored in one write with the events' ids: from here the changes are owed, never lost.
        await WriteOrReloadAsync();
        return new ApplyResult { Applied = applied, Duplicates = duplicates, Lead = lead, Owed = CheckpointOutbox.Unclaimed(s.Outbox) };
    }

    public async Task<FlushResult> FlushAsync(ProfileFlush flush)
    {
        if (flush.Activation != _activation && flush.Activation != Guid.Empty)
        {
            // The activation that applied the partition's batches ended without writing them (its silo
            // died): only a replay from the committed offset brings them back.
            return new FlushResult { Lost = true };
        }
        var (mustWrite, deliver) = CheckpointOutbox.Prepare(state.State.Outbox, flush);
        if (_unwritten || mustWrite)
        {
            await WriteOrReloadAsync();
        }
        return new FlushResult { Owed = deliver };
    }

    public async Task AcknowledgeAsync(IReadOnlyList<string> deliveryIds)
    {
        var s = state.State;
        var delivered = deliveryIds.ToHashSet(StringComparer.Ordinal);
        var counted = s.Outbox.Any(o => o.Counts && delivered.Contains(o.Id));
        if (s.Outbox.RemoveAll(o => delivered.Contains(o.Id)) == 0)
        {
            return;
        }
        if (counted)
        {
            await WriteOrReloadAsync();
        }
        else
        {
            // Only lead raises: stored with the profile's next write. Should that never come (a
            // crash), the raise is delivered again with the person's next events, which the router
            // takes as a refresh, and gets back a lead the router lost in the same crash.
            _writer.WriteWithNext();
        }
    }

    /// <summary>
    /// Writes the state; when that fails, drops this activation so the caller's retry re-reads what
    /// is stored: events applied only in memory must apply again, deliveries acknowledged only in
    /// memory must be owed again.
    /// </summary>
    private async Task WriteOrReloadAsync()
    {
        try
        {
            await _writer.WriteAsync();
            _unwritten = false;
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public async Task ReevaluateSegmentsAsync(long bucket)
    {
        var s = state.State;
        if (s.MergedInto is not null || s.Totals.Events == 0)
        {
            if (s.Nurture.Segments.DueBucket == bucket)
            {
                s.Nurture.Segments.DueBucket = null;
            }
            return;
        }
        var (change, entered) = Resegment(s, clock.GetUtcNow(), bucket);
        if (entered is { } next)
        {
            await GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Segments, next)).AddAsync(ProfileId);
        }
        if (change is null)
        {
            await _writer.WriteAsync();
            return;
        }
        // Owed like an event's changes: a failure between this write and the segments' leaves it
        // for the next delivery (the next batch of this person's events, or the next re-evaluation).
        var owed = new OwedDelivery { Id = OutboxId(s.OutboxSequence + 1), Segments = change };
        s.OutboxSequence++;
        s.Outbox.Add(owed);
        await WriteOrReloadAsync();
        await Task.WhenAll(SegmentForwarding.Forward(GrainFactory, [.. s.Outbox.Where(o => o.Segments is not null).Select(o => (Tenant, o.Segments!))]));
        var delivered = s.Outbox.Where(o => o.Segments is not null && o.Nurture.Count == 0 && o.Funnel.Count == 0 && o.Visits.Count == 0
            && o.Orders.Count == 0 && o.Credits.Count == 0 && o.Raise is null && o.DueBucket is null).Select(o => o.Id).ToList();
        await AcknowledgeAsync(delivered);
    }

    /// <summary>
    /// Evaluates the segment rules and keeps the profile in exactly one due-wheel bucket: the one
    /// holding the next instant its segments could change with no event. Idle profiles cost nothing else.
    /// Leaves the old bucket at once; returns the bucket to enter (if it changed) for the caller to
    /// enter once this state is stored (the set of segments changes the same way).
    /// </summary>
    private (SegmentChange? Change, long? Enter) Resegment(ProfileState s, DateTimeOffset now, long? draining)
    {
        var f = s.Nurture.Segments;
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
        if (bucket == f.DueBucket)
        {
            return (change, null);
        }
        if (f.DueBucket is { } old)
        {
            GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Segments, old)).RemoveAsync(ProfileId).Ignore();
        }
        f.DueBucket = bucket;
        return (change, bucket);
    }

    public Task<MessageContact?> GetContactAsync()
    {
        var s = state.State;
        if (s.MergedInto is not null || s.ErasedAt is not null || s.Totals.Events == 0)
        {
            return Task.FromResult<MessageContact?>(null);
        }
        return Task.FromResult<MessageContact?>(new MessageContact
        {
            Name = s.DisplayName,
            Email = s.Email,
            Phone = s.Phone,
            ZaloId = s.Identifiers.Find(i => i.Kind == IdentifierKind.Zalo).Value,
            StoreId = s.LastStoreId,
            Orders = s.Totals.Orders,
            Traits = new Dictionary<string, string>(s.Traits),
        });
    }

    public async Task SetNurturedAsync()
    {
        if (!state.State.Nurture.InJourneys)
        {
            state.State.Nurture.InJourneys = true;
            await _writer.WriteAsync();
        }
    }

    public async Task SetMasterChannelAsync(MessageChannel channel)
    {
        if (state.State.Nurture.MasterChannel != channel)
        {
            state.State.Nurture.MasterChannel = channel;
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

    public Task<ProfileWhereabouts> LocateAsync()
    {
        var s = state.State;
        var known = state.RecordExists || s.Totals.Events > 0 || s.MergedInto is not null || s.ErasedAt is not null;
        // A copy: the answer is immutable and may be read by the caller while this profile goes on applying.
        Identifier[] ids = s.MergedInto is null && s.ErasedAt is null ? [.. s.Identifiers] : [];
        return Task.FromResult(new ProfileWhereabouts(known, s.MergedInto, s.ErasedAt, ids));
    }

    public async Task<ProfileWhereabouts> LocateDeviceAsync(string identityKey)
    {
        var here = await LocateAsync();
        if (here.Known)
        {
            return here;
        }
        if (IdentityKey.DerivedProfileId(identityKey) != ProfileId)
        {
            throw new ArgumentException("this profile is not derived from that identity key", nameof(identityKey));
        }
        var row = new GrainState<IdentityState>();
        await identities.ReadStateAsync(IdentityGrain.StateName, GrainFactory.Get<IIdentityGrain>(identityKey).GetGrainId(), row);
        return row switch
        {
            { RecordExists: true, State.SuppressedAt: { } at } => new ProfileWhereabouts(true, null, at, []),
            { RecordExists: true, State.ProfileId: { } owner } when owner != ProfileId => new ProfileWhereabouts(true, owner, null, []),
            _ => here,
        };
    }

    public async Task<bool> MergeFromAsync(string sourceProfileId)
    {
        if (sourceProfileId == ProfileId)
        {
            return true;
        }
        if (state.State.MergedInto is not null || state.State.ErasedAt is not null)
        {
            return false;
        }
        var source = GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, sourceProfileId));
        var detached = await source.DetachIntoAsync(ProfileId);
        if (detached is null)
        {
            return false;
        }
        await AbsorbDetachedAsync(sourceProfileId, detached);
        return true;
    }

    public async Task<bool> MergeIntoAsync(string targetProfileId)
    {
        var s = state.State;
        if (targetProfileId == ProfileId || s.MergedInto == targetProfileId)
        {
            return true;
        }
        if (s.MergedInto is not null || s.IsIdentified)
        {
            return false;
        }
        // The target takes the history first: if it was merged away meanwhile (it pulled this profile's
        // own twin, say) it refuses, and nothing here has changed.
        if (!await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, targetProfileId)).AbsorbAsync(ProfileId, s))
        {
            return false;
        }
        await LeaveForwardingNoteAsync(targetProfileId);
        return true;
    }

    public async Task<bool> AbsorbAsync(string sourceProfileId, ProfileState detached)
    {
        if (state.State.MergedInto is not null || state.State.ErasedAt is not null)
        {
            return false;
        }
        await AbsorbDetachedAsync(sourceProfileId, detached);
        return true;
    }

    /// <summary>Takes a detached profile's history and identifiers into this one.</summary>
    private async Task AbsorbDetachedAsync(string sourceProfileId, ProfileState detached)
    {
        if (detached.Totals.Events == 0 && detached.Identifiers.Count == 0 && detached.Outbox.Count == 0)
        {
            return;
        }
        var sharedBefore = state.State.Consents.Check(ConsentPurpose.AdSharing).Allowed;
        ProfileProjection.Absorb(state.State, detached, _profile, _scoring);
        ProfileOrders.Absorb(state.State, detached);
        state.State.Nurture.Segments.Absorb(detached.Nurture.Segments, _segments);
        foreach (var record in detached.Consents.History)
        {
            state.State.Consents.Record(record);
        }
        if (detached.Conversions is { Count: > 0 } theirs)
        {
            state.State.Conversions = [.. (state.State.Conversions ?? []).Concat(theirs).OrderBy(c => c.At).TakeLast(ConversionRecord.Capacity)];
        }
        await IndexAsync(state.State, sharedBefore);
        await _writer.WriteAsync();
        // An anonymous id needs no row: the source's forwarding note (DetachIntoAsync, MergeIntoAsync) leads here.
        await Task.WhenAll(detached.Identifiers.Where(id => id.IsStrong).Select(id => Identity(id).ReassignAsync(sourceProfileId, ProfileId)));
    }

    public async Task<ProfileState?> DetachIntoAsync(string targetProfileId)
    {
        var s = state.State;
        if (s.MergedInto is not null || s.IsIdentified)
        {
            return null;
        }
        await LeaveForwardingNoteAsync(targetProfileId);
        return s;
    }

    /// <summary>
    /// Empties this profile into a note that it now lives in <paramref name="targetProfileId"/> (keeping
    /// the ids it applied, so a replay counts once). Written even for a profile that never held anything
    /// (the derived profile of an anonymous id seen first with a known person): the note is where the
    /// id's owner is found, instead of a row of the id's own (IdentityResolver asks the derived profile,
    /// not the identity grain).
    /// </summary>
    private Task LeaveForwardingNoteAsync(string targetProfileId)
    {
        state.State = new ProfileState { MergedInto = targetProfileId, Seen = state.State.Seen };
        return _writer.WriteAsync();
    }

    public async Task<ErasureReceipt?> EraseAsync()
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).EraseAsync();
        }
        if (s.ErasedAt is not null || s.Totals.Events == 0)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        // Suppressed, not released: the same phone sent again by a POS or a replay names nobody.
        await Task.WhenAll(s.Identifiers.Select(id => Identity(id).SuppressAsync(ProfileId, now)));

        // The person may sit on any store's board or router (a lead raised at one store, a visit at
        // another), so every store the tenant has is told, not just the last one.
        var directory = await GrainFactory.GetGrain<ITenantDirectoryGrain>(Tenant).GetAsync();
        var stores = directory.Stores.Concat(s.LastStoreId is { } last ? [last] : []).Distinct(StringComparer.Ordinal).ToList();
        var boards = stores.Append(ILeadBoardGrain.AllStores).ToList();
        var teams = stores.Append(LeadOptions.OnlineTeam).Concat(s.LeadTeam is { } team ? [team] : []).Distinct(StringComparer.Ordinal).ToList();
        await Task.WhenAll(boards.Select(b => GrainFactory.GetGrain<ILeadBoardGrain>(TenantKey.Compose(Tenant, b)).RemoveAsync(ProfileId)));
        await Task.WhenAll(teams.Select(t => GrainFactory.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(Tenant, t)).ForgetAsync(ProfileId)));
        var visitorLists = await Task.WhenAll(stores.Select(async store =>
            (Store: store, Listed: await GrainFactory.GetGrain<IStoreGrain>(TenantKey.Compose(Tenant, store)).ForgetVisitorAsync(ProfileId))));
        await GrainFactory.GetGrain<IAdAudienceGrain>(Tenant).SetAsync(ProfileId, false);
        var masterData = await MasterDataErasure.EraseAsync(GrainFactory, pseudonyms, Tenant,
            s.Identifiers.Where(i => i.Kind == IdentifierKind.Phone).Select(i => i.Value));
        if (s.RetentionDay is { } day)
        {
            await GrainFactory.GetGrain<IRetentionDayGrain>(Retention.DayKey(Tenant, day)).RemoveAsync(ProfileId);
        }

        var receipt = new ErasureReceipt
        {
            ProfileId = ProfileId,
            ErasedAt = now,
            SuppressedIdentifiers = [.. s.Identifiers.Select(i => Identifier.Prefix(i.Kind))],
            MergedProfiles = [.. s.MergedFrom ?? []],
            LeadBoards = boards,
            LeadRouters = teams,
            StoreVisitorLists = [.. visitorLists.Where(v => v.Listed).Select(v => v.Store)],
            MasterData = masterData,
            Kept =
            [
                "campaign, store and attribution counts (numbers only, no person)",
                "suppression list entries: keyed hashes of the identifiers",
                $"64-bit hashes of the message ids applied in the last {DedupWindow.MaxAge.TotalHours:0} hours, so a replay counts once",
            ],
        };
        // Keep the dedup window: a replay of an erased person's old events must not bring them back.
        var seen = s.Seen;
        // Keep what the aggregates are still owed (counts), without the lead that names the person.
        var owed = s.Outbox.Select(o => o with { Raise = null, Segments = null, Nurture = [], DueBucket = null }).Where(o => !o.IsEmpty).ToList();
        await ForgetSegmentsAsync(s, now);
        state.State = new ProfileState { Seen = seen, ErasedAt = now, Outbox = owed, OutboxSequence = s.OutboxSequence };
        // Durable before the receipt is handed out, whatever the storage's write policy.
        await state.WriteStateAsync();
        return receipt;
    }

    public Task<SubjectExport?> ExportAsync()
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).ExportAsync();
        }
        return Task.FromResult(s.Totals.Events == 0 ? null : new SubjectExport
        {
            Profile = ProfileView.From(ProfileId, s, clock.GetUtcNow(), _profile, _scoring),
            Consents = [.. s.Consents.History],
            Conversions = [.. s.Conversions ?? []],
            OpenLeadTeam = s.LeadTeam,
        });
    }

    public async Task<ProfileView?> CorrectTraitsAsync(IReadOnlyDictionary<string, string?> traits)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).CorrectTraitsAsync(traits);
        }
        if (s.Totals.Events == 0)
        {
            return null;
        }
        foreach (var (name, value) in traits)
        {
            if (value is null)
            {
                s.Traits.Remove(name);
            }
            else
            {
                s.Traits[name] = value;
            }
        }
        await state.WriteStateAsync();
        return ProfileView.From(ProfileId, s, clock.GetUtcNow(), _profile, _scoring);
    }

    public Task<ConsentDecision> CheckConsentAsync(ConsentPurpose purpose, ConsentChannel channel) => state.State switch
    {
        { MergedInto: { } target } => GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).CheckConsentAsync(purpose, channel),
        var s => Task.FromResult(s.Consents.Check(purpose, channel)),
    };

    public Task<AdExportPerson?> GetAdConversionsAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            return GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).GetAdConversionsAsync(from, to);
        }
        if (!s.Consents.Check(ConsentPurpose.AdSharing).Allowed)
        {
            return Task.FromResult<AdExportPerson?>(null);
        }
        return Task.FromResult<AdExportPerson?>(new AdExportPerson(s.Phone, s.Email, [.. (s.Conversions ?? []).Where(c => c.At >= from && c.At < to)]));
    }

    public async Task<bool> ExpireIfIdleAsync()
    {
        var s = state.State;
        if (s.MergedInto is not null || s.ErasedAt is not null || s.IsIdentified || s.Totals.Events == 0
            || !Retention.IsExpired(s.Totals.LastSeen, clock.GetUtcNow(), _anonymousRetention))
        {
            return false;
        }
        // Released, not suppressed: nobody asked to be forgotten, the device may come back as a new visitor.
        await Task.WhenAll(s.Identifiers.Select(id => Identity(id).ReleaseAsync(ProfileId)));
        await GrainFactory.GetGrain<IAdAudienceGrain>(Tenant).SetAsync(ProfileId, false);
        await state.ClearStateAsync();
        state.State = new ProfileState { Outbox = s.Outbox, OutboxSequence = s.OutboxSequence };
        return true;
    }

    /// <summary>An erased person leaves every segment and the due wheel; their journeys stop.</summary>
    private async Task ForgetSegmentsAsync(ProfileState s, DateTimeOffset now)
    {
        var f = s.Nurture.Segments;
        if (f.Current != 0)
        {
            await Task.WhenAll(SegmentForwarding.Forward(GrainFactory, [(Tenant, new SegmentChange(ProfileId, f.Current, 0, now))]));
        }
        if (f.DueBucket is { } bucket)
        {
            await GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Segments, bucket)).RemoveAsync(ProfileId);
        }
        if (s.Nurture.InJourneys)
        {
            await GrainFactory.GetGrain<IPersonJourneysGrain>(Key).ForgetAsync();
        }
    }

    private IIdentityGrain Identity(Identifier id) => GrainFactory.Identity(IdentityKey.Of(Tenant, id, pseudonyms));

    private static void RecordConsents(ProfileState s, CustomerEvent e)
    {
        foreach (var change in e.Consents ?? [])
        {
            s.Consents.Record(new ConsentRecord(change.Purpose, change.Channel, change.Granted, change.Source, e.Timestamp, change.WordingVersion, e.MessageId));
        }
    }

    private static void RecordConversion(ProfileState s, CustomerEvent e, ConversionKind kind, long value)
    {
        var click = ConversionRecord.LastClick(s.Touches, e.Timestamp);
        var conversions = s.Conversions ??= [];
        conversions.Add(new ConversionRecord(kind, e.Timestamp, e.StoreId ?? "online", e.Order?.OrderId, value, e.MessageId,
            click?.Touch.ClickIdType, click?.Touch.ClickId, click?.Timestamp));
        if (conversions.Count > ConversionRecord.Capacity)
        {
            conversions.RemoveAt(0);
        }
    }

    /// <summary>
    /// Keeps the tenant-wide indexes this profile belongs to current: the ad-sharing audience when its
    /// consent changed, and the retention day index while it is anonymous.
    /// </summary>
    private async Task IndexAsync(ProfileState s, bool sharedBefore)
    {
        if (s.Consents.Check(ConsentPurpose.AdSharing).Allowed != sharedBefore)
        {
            await GrainFactory.Get<IAdAudienceGrain>(Tenant).SetAsync(ProfileId, !sharedBefore);
        }
        if (!s.IsIdentified && s.Totals.LastSeen is { } lastSeen && Retention.DayOf(lastSeen) is var day && s.RetentionDay != day)
        {
            var first = s.RetentionDay is null;
            s.RetentionDay = day;
            await GrainFactory.Get<IRetentionDayGrain>(Retention.DayKey(Tenant, day)).AddAsync(ProfileId);
            if (first)
            {
                await GrainFactory.Get<IRetentionSweepGrain>(Tenant).NoteDayAsync(day);
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_discard || reason.ReasonCode == DeactivationReasonCode.ApplicationError)
        {
            // Dropped after a failed call (see DropActivationOnFailure): memory may hold half of a batch.
            // Nothing is written; the next activation reloads what was stored, and a checkpoint that
            // finds this activation gone replays its partition from the committed offset.
            return;
        }
        if (_unwritten)
        {
            // Written changes stay owed (unclaimed): the next checkpoint that flushes this profile claims and delivers them.
            await _writer.WriteAsync();
            _unwritten = false;
        }
        await _writer.DeactivatingAsync(reason, cancellationToken);
    }

    public async Task RecordOutcomeAsync(Leads.LeadOutcome outcome, string? lostReason, string? storeId)
    {
        var s = state.State;
        if (s.MergedInto is { } target)
        {
            await GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, target)).RecordOutcomeAsync(outcome, lostReason, storeId);
            return;
        }
        if (s.Totals.Events == 0)
        {
            return;
        }
        Leads.LeadOutcomes.Apply(s, outcome, lostReason, storeId, clock.GetUtcNow(), _scoring, _profile.TimelineSize);
        if (Leads.LeadOutcomes.Closes(outcome))
        {
            NoOpenLead(s);
        }
        await _writer.WriteAsync();
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
        NoOpenLead(s);
        await _writer.WriteAsync();
    }

    /// <summary>
    /// The person's lead closed: they may raise one again, and a raise of the closed lead that is
    /// still in the outbox (delivered, its acknowledgement not yet stored) must not open it again.
    /// </summary>
    private static void NoOpenLead(ProfileState s)
    {
        s.LeadTeam = null;
        if (s.Outbox.Any(o => o.Raise is not null))
        {
            s.Outbox = [.. s.Outbox.Select(o => o with { Raise = null }).Where(o => !o.IsEmpty)];
        }
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
