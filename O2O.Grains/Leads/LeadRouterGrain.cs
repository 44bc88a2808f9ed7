using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

[GenerateSerializer, Alias("o2o.lead-router-state")]
public sealed class LeadRouterState
{
    [Id(0)] public Dictionary<string, OpenLead> Open { get; set; } = [];
    [Id(1)] public long Sequence { get; set; }
    /// <summary>What each consultant of the team has done, for the manager's view.</summary>
    [Id(2)] public Dictionary<string, ConsultantRecord> Consultants { get; set; } = [];
    /// <summary>The latest phone reveals (who saw whose number, when), newest last.</summary>
    [Id(3)] public List<PhoneReveal> Reveals { get; set; } = [];
}

[GenerateSerializer, Alias("o2o.consultant-record")]
public sealed class ConsultantRecord
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public int Claims { get; set; }
    [Id(2)] public double ResponseSeconds { get; set; }
    [Id(3)] public int SlaMisses { get; set; }
    [Id(4)] public Dictionary<LeadOutcome, int> Outcomes { get; set; } = [];
}

/// <summary>One look at a customer's phone number: the audit trail of who saw it.</summary>
[GenerateSerializer, Immutable, Alias("o2o.phone-reveal")]
public sealed record PhoneReveal(
    [property: Id(0)] string LeadId,
    [property: Id(1)] string ProfileId,
    [property: Id(2)] string ConsultantId,
    [property: Id(3)] DateTimeOffset At);

[GenerateSerializer, Alias("o2o.open-lead")]
public sealed class OpenLead
{
    [Id(0)] public required LeadCard Card { get; set; }
    /// <summary>Consultants it was offered to and who let it pass.</summary>
    [Id(1)] public HashSet<string> Tried { get; set; } = [];
}

/// <inheritdoc cref="ILeadRouterGrain"/>
/// <remarks>
/// Every change to a lead goes through <see cref="Set"/> and <see cref="Close"/>, which keep the
/// per-consultant load, the waiting set and the next due time current, so routing one lead costs
/// the team's consultants, not the team's backlog.
/// </remarks>
public sealed partial class LeadRouterGrain(
    [PersistentState("router", StorageNames.Leads)] IPersistentState<LeadRouterState> state,
    IOptionsMonitor<LeadOptions> options,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock,
    ILogger<LeadRouterGrain> logger) : Grain, ILeadRouterGrain
{
    private readonly StateWriter<LeadRouterState> _writer = new(state, StorageNames.Leads, writes);
    // Presence is not persisted: connections belong to live Api nodes and come back with them.
    private readonly Dictionary<string, Presence> _presence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastAssigned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _openByProfile = new(StringComparer.Ordinal);
    /// <summary>Leads offered to or claimed by each consultant.</summary>
    private readonly Dictionary<string, int> _load = new(StringComparer.Ordinal);
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly List<LeadNotice> _notices = [];
    private long _assignments;
    /// <summary>No offer expires and no lead goes stale before this.</summary>
    private DateTimeOffset _nextDue = DateTimeOffset.MaxValue;

    private string Tenant => TenantKey.Split(this.GetPrimaryKeyString()).Tenant;

    private string Team => TenantKey.Split(this.GetPrimaryKeyString()).Id;

    private LeadOptions Options => options.CurrentValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var lead in state.State.Open.Values)
        {
            _openByProfile[lead.Card.ProfileId] = lead.Card.LeadId;
            Track(null, lead.Card);
        }
        // The SLA is measured on the TimeProvider; the timer only decides how often to look.
        this.RegisterGrainTimer(CheckSlaAsync, new GrainTimerCreationOptions(Options.SlaCheckPeriod, Options.SlaCheckPeriod) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task RaiseAsync(IReadOnlyList<LeadRequest> requests)
    {
        var now = clock.GetUtcNow();
        var fresh = new List<OpenLead>();
        foreach (var request in requests.GroupBy(r => r.Snapshot.ProfileId).Select(g => g.Last()))
        {
            if (_openByProfile.TryGetValue(request.Snapshot.ProfileId, out var leadId))
            {
                var lead = state.State.Open[leadId];
                Set(lead, lead.Card with
                {
                    Score = ScoreCard.Display(request.Snapshot.RawScore),
                    Reasons = request.Snapshot.TopReasons,
                    Stage = request.Facts.Stage,
                    ContactConsent = request.Facts.ContactConsent ?? lead.Card.ContactConsent,
                });
            }
            else
            {
                MakeRoom();
                var lead = new OpenLead { Card = LeadInsights.Card($"L{++state.State.Sequence}", request with { Team = Team }, Options.Scripts, now) };
                state.State.Open[lead.Card.LeadId] = lead;
                _openByProfile[lead.Card.ProfileId] = lead.Card.LeadId;
                Track(null, lead.Card);
                fresh.Add(lead);
                LogRaised(Tenant, lead.Card.LeadId, request.Trigger, Team);
            }
        }
        // Hottest first, so when consultants are scarce the hottest leads get them.
        foreach (var lead in fresh.OrderByDescending(l => l.Card.Score))
        {
            Route(lead, now);
        }
        await PublishAndWriteSoonAsync();
    }

    public async Task<IReadOnlyList<LeadCard>> ConnectAsync(Consultant consultant, string connectionId)
    {
        if (!_presence.TryGetValue(consultant.Id, out var presence) || presence.Consultant != consultant)
        {
            _presence[consultant.Id] = presence = new Presence(consultant, presence?.Connections ?? []);
        }
        presence.Connections.Add(connectionId);
        RecordOf(consultant);
        FillWaiting(clock.GetUtcNow());
        if (_notices.Count > 0)
        {
            await SaveAndPublishAsync();
        }
        return OpenLeads();
    }

    public async Task DisconnectAsync(string consultantId, string connectionId)
    {
        if (_presence.TryGetValue(consultantId, out var presence) && presence.Connections.Remove(connectionId) && presence.Connections.Count == 0)
        {
            // Offers to someone who left go to the next consultant now rather than after the SLA.
            var now = clock.GetUtcNow();
            foreach (var lead in state.State.Open.Values.Where(l => l.Card is { Status: LeadStatus.Offered } c && c.OfferedTo == consultantId).ToList())
            {
                Route(lead, now);
            }
            await SaveAndPublishAsync();
        }
    }

    public async Task<ClaimResult> ClaimAsync(string leadId, Consultant consultant)
    {
        if (!state.State.Open.TryGetValue(leadId, out var lead) || consultant.Team != Team)
        {
            return new ClaimResult(false, null, null, "Khách này không còn mở trong nhóm của bạn.");
        }
        if (lead.Card.ClaimedBy is { } winner)
        {
            return new ClaimResult(winner == consultant.Id, winner, lead.Card.ClaimedByName);
        }
        var now = clock.GetUtcNow();
        Set(lead, lead.Card with
        {
            Status = LeadStatus.Claimed,
            ClaimedBy = consultant.Id,
            ClaimedByName = consultant.Name,
            ClaimedAt = now,
            OfferExpiresAt = null,
        });
        var record = RecordOf(consultant);
        record.Claims++;
        record.ResponseSeconds += Math.Max(0, (now - lead.Card.RaisedAt).TotalSeconds);
        _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadClaimed, lead.Card));
        LogClaimed(Tenant, leadId, consultant.Id);
        // Whoever it was offered to has room again.
        FillWaiting(clock.GetUtcNow());
        await SaveAndPublishAsync();
        return new ClaimResult(true, consultant.Id, consultant.Name);
    }

    public async Task DeclineAsync(string leadId, Consultant consultant)
    {
        if (state.State.Open.TryGetValue(leadId, out var lead) && lead.Card is { Status: LeadStatus.Offered } card && card.OfferedTo == consultant.Id)
        {
            Route(lead, clock.GetUtcNow());
            await SaveAndPublishAsync();
        }
    }

    public async Task<LeadCard?> RecordOutcomeAsync(string leadId, Consultant consultant, LeadOutcome outcome, string? lostReason)
    {
        if (!state.State.Open.TryGetValue(leadId, out var lead) || consultant.Team != Team
            || (lead.Card.ClaimedBy != consultant.Id && consultant.Role != ConsultantRole.Manager))
        {
            return null;
        }
        // One-way: a router never waits for a profile, which may be waiting for this router (an erasure).
        GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, lead.Card.ProfileId))
            .RecordOutcomeAsync(outcome, lostReason, Team == LeadOptions.OnlineTeam ? null : Team).Ignore();
        var closes = LeadOutcomes.Closes(outcome);
        var reached = LeadOutcomes.StageOf(outcome);
        var outcomes = RecordOf(consultant).Outcomes;
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        var card = lead.Card with
        {
            Outcome = outcome,
            LostReason = outcome == LeadOutcome.Lost ? lostReason : null,
            Status = closes ? LeadStatus.Closed : lead.Card.Status,
            Stage = reached > lead.Card.Stage ? reached : lead.Card.Stage,
            Reasons = [ScoreReason.ConsultantOutcome, .. lead.Card.Reasons.Where(r => r != ScoreReason.ConsultantOutcome)],
        };
        if (closes)
        {
            Close(lead);
            lead.Card = card;
            FillWaiting(clock.GetUtcNow());
        }
        else
        {
            Set(lead, card);
        }
        _notices.Add(new LeadNotice(Tenant, closes ? LeadNoticeKind.LeadClosed : LeadNoticeKind.LeadUpdated, lead.Card));
        LogOutcome(Tenant, leadId, outcome);
        await SaveAndPublishAsync();
        return lead.Card;
    }

    public async Task ForgetAsync(string profileId)
    {
        if (_openByProfile.TryGetValue(profileId, out var leadId) && state.State.Open.TryGetValue(leadId, out var lead))
        {
            Close(lead);
            // The closing alert carries nothing about the person any more.
            var erased = new LeadCard { LeadId = leadId, ProfileId = profileId, Team = Team, Status = LeadStatus.Closed, RaisedAt = lead.Card.RaisedAt };
            _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadClosed, erased));
            FillWaiting(clock.GetUtcNow());
            await SaveAndPublishAsync();
        }
    }

    public Task<IReadOnlyList<LeadCard>> GetOpenAsync() => Task.FromResult(OpenLeads());

    public async Task<string?> ProfileForAsync(string leadId, Consultant consultant, bool toRevealPhone)
    {
        if (!state.State.Open.TryGetValue(leadId, out var lead) || consultant.Team != Team)
        {
            return null;
        }
        if (toRevealPhone)
        {
            if (lead.Card.ClaimedBy != consultant.Id)
            {
                return null;
            }
            state.State.Reveals.Add(new PhoneReveal(leadId, lead.Card.ProfileId, consultant.Id, clock.GetUtcNow()));
            if (state.State.Reveals.Count > MaxRevealsKept)
            {
                state.State.Reveals.RemoveRange(0, state.State.Reveals.Count - MaxRevealsKept);
            }
            LogPhoneRevealed(Tenant, leadId, consultant.Id);
            // The audit entry is durable before the number is handed out.
            await WriteNowAsync();
        }
        return lead.Card.ProfileId;
    }

    public async Task<LeadCard?> AddNoteAsync(string leadId, Consultant consultant, string text)
    {
        if (!state.State.Open.TryGetValue(leadId, out var lead) || consultant.Team != Team)
        {
            return null;
        }
        var notes = lead.Card.Notes.Append(new LeadNote(clock.GetUtcNow(), consultant.Id, consultant.Name, text)).TakeLast(MaxNotesPerLead);
        Set(lead, lead.Card with { Notes = [.. notes] });
        _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadUpdated, lead.Card));
        await SaveAndPublishAsync();
        return lead.Card;
    }

    public async Task<LeadCard?> BookAppointmentAsync(string leadId, Consultant consultant, DateTimeOffset at)
    {
        if (await RecordOutcomeAsync(leadId, consultant, LeadOutcome.AppointmentBooked, null) is null
            || !state.State.Open.TryGetValue(leadId, out var lead))
        {
            return null;
        }
        Set(lead, lead.Card with { AppointmentAt = at });
        _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadUpdated, lead.Card));
        await SaveAndPublishAsync();
        return lead.Card;
    }

    public async Task<bool> ReassignAsync(string leadId, Consultant manager, string toConsultantId)
    {
        if (manager.Role != ConsultantRole.Manager || manager.Team != Team
            || !state.State.Open.TryGetValue(leadId, out var lead)
            || !state.State.Consultants.TryGetValue(toConsultantId, out var to))
        {
            return false;
        }
        var now = clock.GetUtcNow();
        lead.Tried.Add(toConsultantId);
        Set(lead, lead.Card with
        {
            Status = LeadStatus.Claimed,
            ClaimedBy = toConsultantId,
            ClaimedByName = to.Name,
            ClaimedAt = now,
            OfferedTo = null,
            OfferExpiresAt = null,
        });
        _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadReassigned, lead.Card));
        FillWaiting(now);
        await SaveAndPublishAsync();
        return true;
    }

    public Task<IReadOnlyList<ConsultantStats>> StatsAsync()
    {
        var open = state.State.Open.Values.Select(l => l.Card).ToList();
        IReadOnlyList<ConsultantStats> stats = [.. state.State.Consultants
            .Select(kv =>
            {
                var (id, r) = (kv.Key, kv.Value);
                return new ConsultantStats(
                    id, r.Name,
                    _presence.TryGetValue(id, out var p) && p.Connections.Count > 0,
                    open.Count(c => c.Status == LeadStatus.Offered && c.OfferedTo == id),
                    open.Count(c => c.Status == LeadStatus.Claimed && c.ClaimedBy == id),
                    r.Claims,
                    r.Claims == 0 ? null : TimeSpan.FromSeconds(r.ResponseSeconds / r.Claims),
                    r.SlaMisses,
                    new Dictionary<LeadOutcome, int>(r.Outcomes));
            })
            .OrderBy(s => s.Name, StringComparer.Ordinal)];
        return Task.FromResult(stats);
    }

    private ConsultantRecord RecordOf(Consultant consultant)
    {
        if (!state.State.Consultants.TryGetValue(consultant.Id, out var record))
        {
            state.State.Consultants[consultant.Id] = record = new ConsultantRecord();
        }
        record.Name = consultant.Name;
        return record;
    }

    public Task<Consultant?> AvailableConsultantAsync()
    {
        var id = LeadRouting.Pick(Seats(), Options.MaxOpenPerConsultant, new HashSet<string>());
        return Task.FromResult(id is null ? null : _presence[id].Consultant);
    }

    private async Task CheckSlaAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextDue)
        {
            return;
        }
        var staleAt = now - Options.CloseUnclaimedAfter;
        var stale = new List<OpenLead>();
        var expired = new List<OpenLead>();
        foreach (var lead in state.State.Open.Values)
        {
            if (lead.Card.Status != LeadStatus.Claimed && lead.Card.RaisedAt <= staleAt)
            {
                stale.Add(lead);
            }
            else if (lead.Card is { Status: LeadStatus.Offered, OfferExpiresAt: { } due } && due <= now)
            {
                expired.Add(lead);
            }
        }
        foreach (var lead in stale)
        {
            CloseUnworked(lead);
        }
        foreach (var lead in expired.OrderByDescending(l => l.Card.Score))
        {
            LogExpired(Tenant, lead.Card.LeadId, lead.Card.OfferedTo);
            if (lead.Card.OfferedTo is { } missed && state.State.Consultants.TryGetValue(missed, out var late))
            {
                late.SlaMisses++;
            }
            Route(lead, now);
        }
        if (stale.Count > 0 || expired.Count > 0)
        {
            FillWaiting(now);
        }
        _nextDue = NextDue();
        if (_notices.Count > 0)
        {
            await PublishAndWriteSoonAsync();
        }
    }

    /// <summary>Offers the lead to the next consultant, or escalates it, or leaves it waiting for room.</summary>
    private void Route(OpenLead lead, DateTimeOffset now)
    {
        var card = lead.Card;
        var seats = Seats();
        var next = LeadRouting.Pick(seats, Options.MaxOpenPerConsultant, lead.Tried);
        var kind = card.Offers == 0 && card.Status == LeadStatus.Waiting && card.OfferedTo is null ? LeadNoticeKind.LeadOffered : LeadNoticeKind.LeadReassigned;
        if (next is not null)
        {
            lead.Tried.Add(next);
            _lastAssigned[next] = ++_assignments;
            Set(lead, card with { Status = LeadStatus.Offered, OfferedTo = next, OfferedAt = now, OfferExpiresAt = now + Options.ClaimSla, Offers = card.Offers + 1 });
        }
        else if (lead.Tried.Count > 0 && LeadRouting.Exhausted(seats, lead.Tried))
        {
            if (card.Status == LeadStatus.Escalated)
            {
                return;
            }
            var manager = _presence.Values
                .Where(p => p.Consultant.Role == ConsultantRole.Manager)
                .OrderByDescending(p => p.Connections.Count > 0)
                .Select(p => p.Consultant.Id)
                .FirstOrDefault();
            Set(lead, card with { Status = LeadStatus.Escalated, OfferedTo = manager, OfferExpiresAt = null });
            LogEscalated(Tenant, card.LeadId, Team);
        }
        else
        {
            // Nobody has room, or nobody is on duty: it waits, in view of the whole team, for the
            // first consultant with room.
            if (card.Status == LeadStatus.Waiting && card.Offers > 0)
            {
                return;
            }
            Set(lead, card with { Status = LeadStatus.Waiting, OfferedTo = null, OfferExpiresAt = null });
        }
        _notices.Add(new LeadNotice(Tenant, kind, lead.Card));
    }

    /// <summary>Gives leads that wait for room to consultants who have it, hottest first.</summary>
    private void FillWaiting(DateTimeOffset now)
    {
        if (_waiting.Count == 0 || LeadRouting.Pick(Seats(), Options.MaxOpenPerConsultant, new HashSet<string>()) is null)
        {
            return;
        }
        foreach (var lead in _waiting.Select(id => state.State.Open[id])
            .OrderByDescending(l => l.Card.Score)
            .ThenBy(l => l.Card.RaisedAt)
            .ToList())
        {
            var seats = Seats();
            if (LeadRouting.Pick(seats, Options.MaxOpenPerConsultant, new HashSet<string>()) is null)
            {
                return;
            }
            if (LeadRouting.Pick(seats, Options.MaxOpenPerConsultant, lead.Tried) is not null)
            {
                Route(lead, now);
            }
        }
    }

    /// <summary>Closes a lead nobody worked: it went stale, or a new lead needed its room.</summary>
    private void CloseUnworked(OpenLead lead)
    {
        Close(lead);
        lead.Card = lead.Card with { Status = LeadStatus.Closed, OfferedTo = null, OfferExpiresAt = null };
        _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadClosed, lead.Card));
        // The person may raise a lead again, with whichever team fits them then.
        GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, lead.Card.ProfileId)).LeadClosedAsync(Team).Ignore();
    }

    /// <summary>Keeps the open list (this grain's one storage row) under <see cref="LeadOptions.MaxOpenPerTeam"/>.</summary>
    private void MakeRoom()
    {
        while (state.State.Open.Count >= Options.MaxOpenPerTeam
            && state.State.Open.Values.Where(l => l.Card.Status != LeadStatus.Claimed).MinBy(l => (l.Card.Score, l.Card.RaisedAt)) is { } weakest)
        {
            LogMadeRoom(Tenant, weakest.Card.LeadId, Team);
            CloseUnworked(weakest);
        }
    }

    /// <summary>Replaces a lead's card, keeping loads, the waiting set and the next due time in step.</summary>
    private void Set(OpenLead lead, LeadCard card)
    {
        Track(lead.Card, card);
        lead.Card = card;
    }

    /// <summary>Takes a lead off the open list.</summary>
    private void Close(OpenLead lead)
    {
        Track(lead.Card, null);
        state.State.Open.Remove(lead.Card.LeadId);
        _openByProfile.Remove(lead.Card.ProfileId);
    }

    private void Track(LeadCard? before, LeadCard? after)
    {
        var (was, now) = (before is null ? null : Holder(before), after is null ? null : Holder(after));
        if (was != now)
        {
            if (was is not null)
            {
                _load[was]--;
            }
            if (now is not null)
            {
                _load[now] = _load.GetValueOrDefault(now) + 1;
            }
        }
        if (after is { Status: LeadStatus.Waiting })
        {
            _waiting.Add(after.LeadId);
        }
        else if (before is not null)
        {
            _waiting.Remove(before.LeadId);
        }
        if (after is not null && DueOf(after) is { } due && due < _nextDue)
        {
            _nextDue = due;
        }
    }

    private static string? Holder(LeadCard card) => card.Status switch
    {
        LeadStatus.Claimed => card.ClaimedBy,
        LeadStatus.Offered => card.OfferedTo,
        _ => null,
    };

    /// <summary>When the router must next look at the lead: its offer expires, or it goes stale unclaimed.</summary>
    private DateTimeOffset? DueOf(LeadCard card) => card.Status switch
    {
        LeadStatus.Claimed or LeadStatus.Closed => null,
        LeadStatus.Offered when card.OfferExpiresAt is { } expires => Min(expires, card.RaisedAt + Options.CloseUnclaimedAfter),
        _ => card.RaisedAt + Options.CloseUnclaimedAfter,
    };

    private DateTimeOffset NextDue()
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var lead in state.State.Open.Values)
        {
            if (DueOf(lead.Card) is { } due && due < next)
            {
                next = due;
            }
        }
        return next;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private List<Seat> Seats()
    {
        var seats = new List<Seat>(_presence.Count);
        foreach (var (id, p) in _presence)
        {
            seats.Add(new Seat(id, p.Consultant.Role, p.Connections.Count > 0, _load.GetValueOrDefault(id), _lastAssigned.GetValueOrDefault(id), p.Consultant.MaxOpenLeads));
        }
        return seats;
    }

    private IReadOnlyList<LeadCard> OpenLeads() =>
        [.. state.State.Open.Values.Select(l => l.Card).OrderByDescending(c => c.Score).ThenByDescending(c => c.RaisedAt)];

    /// <summary>Sends the alerts, then writes: consultants' own actions are durable before they are answered.</summary>
    private async Task SaveAndPublishAsync()
    {
        await PublishAsync();
        await WriteNowAsync();
    }

    /// <summary>
    /// Sends the alerts and writes within <see cref="LeadOptions.WriteDelay"/>: raises and expiries come
    /// with the event stream, and writing every open lead of the team for each would cost as much as the backlog.
    /// </summary>
    private async Task PublishAndWriteSoonAsync()
    {
        await PublishAsync();
        _writer.WriteSoon(this, Options.WriteDelay, WriteNowAsync);
    }

    private async Task PublishAsync()
    {
        // Alerts go out before the write: consultants should not wait on storage. Should the write
        // fail, the grain is deactivated and the lead comes back from the last state that was saved.
        if (_notices.Count > 0)
        {
            var notices = _notices.ToList();
            _notices.Clear();
            await GrainFactory.GetGrain<ILeadNotifierGrain>(0).PublishAsync(notices);
        }
    }

    private async Task WriteNowAsync()
    {
        try
        {
            await _writer.WriteAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    private sealed record Presence(Consultant Consultant, HashSet<string> Connections);

    private const int MaxRevealsKept = 1000;
    private const int MaxNotesPerLead = 20;

    [LoggerMessage(Level = LogLevel.Information, Message = "Phone of lead {LeadId} in tenant {Tenant} revealed to consultant {ConsultantId}")]
    private partial void LogPhoneRevealed(string tenant, string leadId, string consultantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} raised in tenant {Tenant} for team {Team} ({Trigger})")]
    private partial void LogRaised(string tenant, string leadId, LeadTrigger trigger, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} claimed by consultant {ConsultantId}")]
    private partial void LogClaimed(string tenant, string leadId, string consultantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} offer to {ConsultantId} expired")]
    private partial void LogExpired(string tenant, string leadId, string? consultantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} closed unclaimed to make room: team {Team} holds its most open leads")]
    private partial void LogMadeRoom(string tenant, string leadId, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} escalated to the manager of team {Team}")]
    private partial void LogEscalated(string tenant, string leadId, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} outcome {Outcome}")]
    private partial void LogOutcome(string tenant, string leadId, LeadOutcome outcome);
}
