using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

[GenerateSerializer, Alias("o2o.lead-router-state")]
public sealed class LeadRouterState
{
    [Id(0)] public Dictionary<string, OpenLead> Open { get; set; } = [];
    [Id(1)] public long Sequence { get; set; }
}

[GenerateSerializer, Alias("o2o.open-lead")]
public sealed class OpenLead
{
    [Id(0)] public required LeadCard Card { get; set; }
    /// <summary>Consultants it was offered to and who let it pass.</summary>
    [Id(1)] public HashSet<string> Tried { get; set; } = [];
}

/// <inheritdoc cref="ILeadRouterGrain"/>
public sealed partial class LeadRouterGrain(
    [PersistentState("router", StorageNames.Leads)] IPersistentState<LeadRouterState> state,
    IOptionsMonitor<LeadOptions> options,
    IOptions<ProfileOptions> persistence,
    TimeProvider clock,
    ILogger<LeadRouterGrain> logger) : Grain, ILeadRouterGrain
{
    // The router holds every open lead of the tenant: on in-memory storage, copying all of them on
    // every raise would make each raise cost as much as the whole backlog, for no durability.
    private readonly bool _saveOnDeactivation = persistence.Value.Persist == PersistMode.OnDeactivation;
    private bool _unsaved;
    // Presence is not persisted: connections belong to live Api nodes and come back with them.
    private readonly Dictionary<string, Presence> _presence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastAssigned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _openByProfile = new(StringComparer.Ordinal);
    private readonly List<LeadNotice> _notices = [];
    private long _assignments;

    private string Tenant => this.GetPrimaryKeyString();

    private LeadOptions Options => options.CurrentValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var lead in state.State.Open.Values)
        {
            _openByProfile[lead.Card.ProfileId] = lead.Card.LeadId;
        }
        // The SLA is measured on the TimeProvider; the timer only decides how often to look.
        this.RegisterGrainTimer(CheckSlaAsync, new GrainTimerCreationOptions(Options.SlaCheckPeriod, Options.SlaCheckPeriod) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task RaiseAsync(IReadOnlyList<LeadRequest> requests)
    {
        var fresh = new List<LeadRequest>();
        foreach (var request in requests.GroupBy(r => r.Snapshot.ProfileId).Select(g => g.Last()))
        {
            if (_openByProfile.TryGetValue(request.Snapshot.ProfileId, out var leadId))
            {
                var lead = state.State.Open[leadId];
                lead.Card = lead.Card with
                {
                    Score = ScoreCard.Display(request.Snapshot.RawScore),
                    Reasons = request.Snapshot.TopReasons,
                    Stage = request.Snapshot.Stage,
                };
            }
            else
            {
                fresh.Add(request);
            }
        }
        if (fresh.Count > 0)
        {
            var now = clock.GetUtcNow();
            for (var i = 0; i < fresh.Count; i++)
            {
                var leadId = $"L{++state.State.Sequence}";
                var lead = new OpenLead { Card = LeadInsights.Card(leadId, fresh[i], fresh[i].Profile, Options.Scripts, now) };
                state.State.Open[leadId] = lead;
                _openByProfile[lead.Card.ProfileId] = leadId;
                LogRaised(Tenant, leadId, fresh[i].Trigger, fresh[i].Team);
            }
            // Hottest first, so when consultants are scarce the hottest leads get them.
            foreach (var lead in fresh.Select(r => state.State.Open[_openByProfile[r.Snapshot.ProfileId]]).OrderByDescending(l => l.Card.Score))
            {
                Route(lead, now);
            }
        }
        await SaveAndPublishAsync();
    }

    public async Task<IReadOnlyList<LeadCard>> ConnectAsync(Consultant consultant, string connectionId)
    {
        if (!_presence.TryGetValue(consultant.Id, out var presence) || presence.Consultant != consultant)
        {
            _presence[consultant.Id] = presence = new Presence(consultant, presence?.Connections ?? []);
        }
        presence.Connections.Add(connectionId);
        FillWaiting(consultant.Team, clock.GetUtcNow());
        if (_notices.Count > 0)
        {
            await SaveAndPublishAsync();
        }
        return OpenOf(consultant.Team);
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
        if (!state.State.Open.TryGetValue(leadId, out var lead) || lead.Card.Team != consultant.Team)
        {
            return new ClaimResult(false, null, null, "This lead is not open in your team.");
        }
        if (lead.Card.ClaimedBy is { } winner)
        {
            return new ClaimResult(winner == consultant.Id, winner, lead.Card.ClaimedByName);
        }
        lead.Card = lead.Card with
        {
            Status = LeadStatus.Claimed,
            ClaimedBy = consultant.Id,
            ClaimedByName = consultant.Name,
            OfferExpiresAt = null,
        };
        _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadClaimed, lead.Card));
        LogClaimed(Tenant, leadId, consultant.Id);
        // Whoever it was offered to has room again.
        FillWaiting(consultant.Team, clock.GetUtcNow());
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
        if (!state.State.Open.TryGetValue(leadId, out var lead) || lead.Card.Team != consultant.Team
            || (lead.Card.ClaimedBy != consultant.Id && consultant.Role != ConsultantRole.Manager))
        {
            return null;
        }
        var profile = GrainFactory.GetGrain<ICustomerGrain>(TenantKey.Compose(Tenant, lead.Card.ProfileId));
        var snapshot = await profile.RecordOutcomeAsync(outcome, lostReason, lead.Card.Team == LeadOptions.OnlineTeam ? null : lead.Card.Team);
        var closes = LeadOutcomes.Closes(outcome);
        lead.Card = lead.Card with
        {
            Outcome = outcome,
            LostReason = outcome == LeadOutcome.Lost ? lostReason : null,
            Status = closes ? LeadStatus.Closed : lead.Card.Status,
            Score = snapshot is null ? lead.Card.Score : ScoreCard.Display(snapshot.RawScore),
            Reasons = snapshot?.TopReasons ?? lead.Card.Reasons,
            Stage = snapshot?.Stage ?? lead.Card.Stage,
        };
        if (closes)
        {
            state.State.Open.Remove(leadId);
            _openByProfile.Remove(lead.Card.ProfileId);
            FillWaiting(lead.Card.Team, clock.GetUtcNow());
        }
        _notices.Add(new LeadNotice(Tenant, closes ? LeadNoticeKind.LeadClosed : LeadNoticeKind.LeadUpdated, lead.Card));
        LogOutcome(Tenant, leadId, outcome);
        await SaveAndPublishAsync();
        return lead.Card;
    }

    public async Task ForgetAsync(string profileId)
    {
        if (_openByProfile.Remove(profileId, out var leadId) && state.State.Open.Remove(leadId, out var lead))
        {
            // The closing alert carries nothing about the person any more.
            var erased = new LeadCard { LeadId = leadId, ProfileId = profileId, Team = lead.Card.Team, Status = LeadStatus.Closed, RaisedAt = lead.Card.RaisedAt };
            _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadClosed, erased));
            FillWaiting(lead.Card.Team, clock.GetUtcNow());
            await SaveAndPublishAsync();
        }
    }

    public Task<IReadOnlyList<LeadCard>> GetOpenAsync(string team) => Task.FromResult(OpenOf(team));

    public Task<Consultant?> AvailableConsultantAsync(string team)
    {
        var id = LeadRouting.Pick(SeatsOf(team), Options.MaxOpenPerConsultant, new HashSet<string>());
        return Task.FromResult(id is null ? null : _presence[id].Consultant);
    }

    private async Task CheckSlaAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var stale = state.State.Open.Values
            .Where(l => l.Card.Status != LeadStatus.Claimed && l.Card.RaisedAt + Options.CloseUnclaimedAfter <= now)
            .ToList();
        foreach (var lead in stale)
        {
            state.State.Open.Remove(lead.Card.LeadId);
            _openByProfile.Remove(lead.Card.ProfileId);
            lead.Card = lead.Card with { Status = LeadStatus.Closed, OfferedTo = null, OfferExpiresAt = null };
            _notices.Add(new LeadNotice(Tenant, LeadNoticeKind.LeadClosed, lead.Card));
        }
        var expired = state.State.Open.Values
            .Where(l => l.Card is { Status: LeadStatus.Offered, OfferExpiresAt: { } due } && due <= now)
            .OrderByDescending(l => l.Card.Score)
            .ToList();
        if (expired.Count == 0 && stale.Count == 0)
        {
            return;
        }
        foreach (var lead in expired)
        {
            LogExpired(Tenant, lead.Card.LeadId, lead.Card.OfferedTo);
            Route(lead, now);
        }
        foreach (var team in expired.Concat(stale).Select(l => l.Card.Team).Distinct())
        {
            FillWaiting(team, now);
        }
        await SaveAndPublishAsync();
    }

    /// <summary>Offers the lead to the next consultant, or escalates it, or leaves it waiting for room.</summary>
    private void Route(OpenLead lead, DateTimeOffset now)
    {
        var card = lead.Card;
        var seats = SeatsOf(card.Team).ToList();
        var next = LeadRouting.Pick(seats, Options.MaxOpenPerConsultant, lead.Tried);
        var kind = card.Offers == 0 && card.Status == LeadStatus.Waiting && card.OfferedTo is null ? LeadNoticeKind.LeadOffered : LeadNoticeKind.LeadReassigned;
        if (next is not null)
        {
            lead.Tried.Add(next);
            _lastAssigned[next] = ++_assignments;
            lead.Card = card with { Status = LeadStatus.Offered, OfferedTo = next, OfferExpiresAt = now + Options.ClaimSla, Offers = card.Offers + 1 };
        }
        else if (LeadRouting.Exhausted(seats, lead.Tried))
        {
            if (card.Status == LeadStatus.Escalated)
            {
                return;
            }
            var manager = _presence.Values
                .Where(p => p.Consultant.Team == card.Team && p.Consultant.Role == ConsultantRole.Manager)
                .OrderByDescending(p => p.Connections.Count > 0)
                .Select(p => p.Consultant.Id)
                .FirstOrDefault();
            lead.Card = card with { Status = LeadStatus.Escalated, OfferedTo = manager, OfferExpiresAt = null };
            LogEscalated(Tenant, card.LeadId, card.Team);
        }
        else
        {
            if (card.Status == LeadStatus.Waiting && card.Offers > 0)
            {
                return;
            }
            lead.Card = card with { Status = LeadStatus.Waiting, OfferedTo = null, OfferExpiresAt = null };
        }
        _notices.Add(new LeadNotice(Tenant, kind, lead.Card));
    }

    /// <summary>Gives leads that wait for room to consultants who have it, hottest first.</summary>
    private void FillWaiting(string team, DateTimeOffset now)
    {
        foreach (var lead in state.State.Open.Values
            .Where(l => l.Card.Team == team && l.Card.Status == LeadStatus.Waiting)
            .OrderByDescending(l => l.Card.Score)
            .ThenBy(l => l.Card.RaisedAt)
            .ToList())
        {
            if (LeadRouting.Pick(SeatsOf(team), Options.MaxOpenPerConsultant, lead.Tried) is null)
            {
                return;
            }
            Route(lead, now);
        }
    }

    private IEnumerable<Seat> SeatsOf(string team)
    {
        var load = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var card in state.State.Open.Values.Select(l => l.Card).Where(c => c.Team == team))
        {
            if (card.Status == LeadStatus.Claimed && card.ClaimedBy is { } owner)
            {
                load[owner] = load.GetValueOrDefault(owner) + 1;
            }
            else if (card.Status == LeadStatus.Offered && card.OfferedTo is { } offered)
            {
                load[offered] = load.GetValueOrDefault(offered) + 1;
            }
        }
        return _presence.Values
            .Where(p => p.Consultant.Team == team)
            .Select(p => new Seat(p.Consultant.Id, p.Consultant.Role, p.Connections.Count > 0, load.GetValueOrDefault(p.Consultant.Id), _lastAssigned.GetValueOrDefault(p.Consultant.Id)));
    }

    private IReadOnlyList<LeadCard> OpenOf(string team) =>
        [.. state.State.Open.Values.Select(l => l.Card).Where(c => c.Team == team).OrderByDescending(c => c.Score).ThenByDescending(c => c.RaisedAt)];

    private async Task SaveAndPublishAsync()
    {
        // Alerts go out before the write: consultants should not wait on storage. Should the write
        // fail, the grain is deactivated and the lead comes back from the last state that was saved.
        if (_notices.Count > 0)
        {
            var notices = _notices.ToList();
            _notices.Clear();
            await GrainFactory.GetGrain<ILeadNotifierGrain>(0).PublishAsync(notices);
        }
        if (_saveOnDeactivation)
        {
            _unsaved = true;
            return;
        }
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // In-memory storage leaves with the process, so a silo shutting down has nothing to save.
        if (_unsaved && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    private sealed record Presence(Consultant Consultant, HashSet<string> Connections);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} raised in tenant {Tenant} for team {Team} ({Trigger})")]
    private partial void LogRaised(string tenant, string leadId, LeadTrigger trigger, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} claimed by consultant {ConsultantId}")]
    private partial void LogClaimed(string tenant, string leadId, string consultantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} offer to {ConsultantId} expired")]
    private partial void LogExpired(string tenant, string leadId, string? consultantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lead {LeadId} in tenant {Tenant} escalated to the manager of team {Team}")]
    private partial void LogEscalated(string tenant, string leadId, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} outcome {Outcome}")]
    private partial void LogOutcome(string tenant, string leadId, LeadOutcome outcome);
}
