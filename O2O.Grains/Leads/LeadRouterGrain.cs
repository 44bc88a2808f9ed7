using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Profiles;
using Orleans.Storage;

namespace O2O.Grains.Leads;

/// <summary>
/// What a team's router stores in its own row: a size set by the team's consultants, never by its
/// leads. The open leads themselves are stored in pages (<see cref="LeadPageState"/>).
/// </summary>
[GenerateSerializer, Alias("o2o.lead-router-state")]
public sealed class LeadRouterState
{
    /// <summary>Where open leads were stored before pages; read once to move them onto pages, then empty.</summary>
    [Id(0)] public Dictionary<string, OpenLead> Open { get; set; } = [];
    /// <summary>
    /// Lead numbers up to this one are taken (ids are <c>L{number}</c>). Numbers are reserved a block
    /// at a time, so raising leads does not change this row each time; a restart skips what is left of the block.
    /// </summary>
    [Id(1)] public long Sequence { get; set; }
    /// <summary>What each consultant of the team has done, for the manager's view.</summary>
    [Id(2)] public Dictionary<string, ConsultantRecord> Consultants { get; set; } = [];
    /// <summary>The latest phone reveals (who saw whose number, when), newest last.</summary>
    [Id(3)] public List<PhoneReveal> Reveals { get; set; } = [];
    /// <summary>No page below this one holds an open lead.</summary>
    [Id(4)] public long FirstPage { get; set; }
    /// <summary>Pages up to this one may be in use; reserved a block at a time, like lead numbers.</summary>
    [Id(5)] public long LastPage { get; set; }
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
    /// <summary>The page the lead is stored on.</summary>
    [Id(2)] public long Page { get; set; }
}

/// <inheritdoc cref="ILeadRouterGrain"/>
/// <remarks>
/// Every change to a lead goes through <see cref="Set"/> and <see cref="Close"/>, which keep the
/// per-consultant load, the waiting set and the next due time current, so routing one lead costs
/// the team's consultants, not the team's backlog. They also mark the lead's page, and a write
/// stores only the pages marked: the team's open leads live in memory here and in pages of at most
/// <see cref="LeadPages.MaxBytes"/> in storage, so a team may hold any number of open leads
/// while no stored row grows with them.
/// </remarks>
public sealed partial class LeadRouterGrain(
    [PersistentState("router", StorageNames.Leads)] IPersistentState<LeadRouterState> state,
    [FromKeyedServices(StorageNames.Leads)] IGrainStorage storage,
    IOptionsMonitor<LeadOptions> options,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock,
    ILogger<LeadRouterGrain> logger) : Grain, ILeadRouterGrain
{
    private readonly StateWriter<LeadRouterState> _writer = new(state, StorageNames.Leads, writes);
    /// <summary>The number of the last lead raised (see <see cref="LeadRouterState.Sequence"/>).</summary>
    private long _sequence;
    /// <summary>The page new leads are stored on until it is full.</summary>
    private long _lastPage;
    /// <summary>The router's own row changed since it was last written.</summary>
    private bool _rowChanged;
    /// <summary>Leads storage kept in memory: pages are written when the activation ends, like the row.</summary>
    private readonly bool _pagesDeferred = writes.Value.WriteOnDeactivation.Contains(StorageNames.Leads);
    /// <summary>Each page record as last read or written; it carries the ETag the next write needs.</summary>
    private readonly Dictionary<long, GrainState<LeadPageState>> _pageRecords = [];
    // Presence is not persisted: connections belong to live Api nodes and come back with them.
    private readonly Dictionary<string, Presence> _presence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastAssigned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenLead> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _openByProfile = new(StringComparer.Ordinal);
    /// <summary>The ids of the open leads on each stored page, lowest page first.</summary>
    private readonly SortedDictionary<long, HashSet<string>> _pages = [];
    /// <summary>What each page's leads take by <see cref="LeadStorageSize"/>, and each lead.</summary>
    private readonly Dictionary<long, int> _pageBytes = [];
    private readonly Dictionary<string, int> _leadBytes = new(StringComparer.Ordinal);
    /// <summary>Pages whose leads changed since the last write.</summary>
    private readonly HashSet<long> _changedPages = [];
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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var s = state.State;
        _sequence = s.Sequence;
        for (var first = s.FirstPage; first <= s.LastPage; first += PagesReadAtOnce)
        {
            var pages = await Task.WhenAll(Enumerable.Range(0, (int)Math.Min(PagesReadAtOnce, s.LastPage - first + 1))
                .Select(i => ReadPageAsync(first + i)));
            foreach (var lead in pages.SelectMany(p => p.Leads))
            {
                Open(lead);
            }
        }
        _lastPage = _pages.Count > 0 ? _pages.Last().Key : s.FirstPage;
        if (s.Open.Count > 0)
        {
            // Stored before pages: move them onto pages.
            foreach (var lead in s.Open.Values)
            {
                Open(lead, place: true);
            }
            s.Open.Clear();
            _rowChanged = true;
            await WriteNowAsync();
        }
        // The SLA is measured on the TimeProvider; the timer only decides how often to look.
        this.RegisterGrainTimer(CheckSlaAsync, new GrainTimerCreationOptions(Options.SlaCheckPeriod, Options.SlaCheckPeriod) { KeepAlive = true });
    }

    /// <summary>
    /// Puts a lead on the open list and the routing indexes, and on its page: the one it was read from,
    /// or with <paramref name="place"/> the page being filled.
    /// </summary>
    private void Open(OpenLead lead, bool place = false)
    {
        _open[lead.Card.LeadId] = lead;
        _openByProfile[lead.Card.ProfileId] = lead.Card.LeadId;
        if (place)
        {
            Place(lead);
        }
        else
        {
            AddToPage(lead, lead.Page, LeadStorageSize.Of(lead));
        }
        _sequence = Math.Max(_sequence, LeadPages.NumberOf(lead.Card.LeadId));
        Track(null, lead.Card);
    }

    /// <summary>Stores the lead on the last page, or on a new one when the last is full.</summary>
    private void Place(OpenLead lead)
    {
        var bytes = LeadStorageSize.Of(lead);
        var last = _lastPage;
        if (_pageBytes.GetValueOrDefault(last) + bytes > LeadPages.MaxBytes)
        {
            last = ++_lastPage;
            if (last > state.State.LastPage)
            {
                state.State.LastPage = last + PagesReservedAtOnce - 1;
                _rowChanged = true;
            }
        }
        lead.Page = last;
        AddToPage(lead, last, bytes);
    }

    private void AddToPage(OpenLead lead, long page, int bytes)
    {
        if (!_pages.TryGetValue(page, out var ids))
        {
            _pages[page] = ids = new HashSet<string>(StringComparer.Ordinal);
        }
        ids.Add(lead.Card.LeadId);
        _leadBytes[lead.Card.LeadId] = bytes;
        _pageBytes[page] = _pageBytes.GetValueOrDefault(page) + bytes;
        _changedPages.Add(page);
    }

    private void RemoveFromPage(OpenLead lead)
    {
        var page = lead.Page;
        _changedPages.Add(page);
        if (_leadBytes.Remove(lead.Card.LeadId, out var bytes))
        {
            _pageBytes[page] -= bytes;
        }
        if (_pages.TryGetValue(page, out var ids) && ids.Remove(lead.Card.LeadId) && ids.Count == 0)
        {
            _pages.Remove(page);
            _pageBytes.Remove(page);
        }
    }

    private async Task<LeadPageState> ReadPageAsync(long page)
    {
        var record = new GrainState<LeadPageState>(new LeadPageState());
        await storage.ReadStateAsync(LeadPages.StateName, LeadPages.IdOf(Tenant, Team, page), record);
        _pageRecords[page] = record;
        return record.State ??= new LeadPageState();
    }

    /// <summary>Writes every page changed since the last write; a page left empty is cleared.</summary>
    private Task WritePagesAsync()
    {
        var changed = _changedPages.ToList();
        _changedPages.Clear();
        return Task.WhenAll(changed.Select(async page =>
        {
            if (!_pageRecords.TryGetValue(page, out var record))
            {
                _pageRecords[page] = record = new GrainState<LeadPageState>(new LeadPageState());
            }
            record.State = new LeadPageState { Leads = _pages.TryGetValue(page, out var ids) ? [.. ids.Select(id => _open[id])] : [] };
            var id = LeadPages.IdOf(Tenant, Team, page);
            if (record.State.Leads.Count > 0)
            {
                await storage.WriteStateAsync(LeadPages.StateName, id, record);
            }
            else if (record.RecordExists)
            {
                // Closed leads leave nothing behind: an erased person's lead must not linger in storage.
                await storage.ClearStateAsync(LeadPages.StateName, id, record);
            }
        }));
    }

    public async Task RaiseAsync(IReadOnlyList<LeadRequest> requests)
    {
        var now = clock.GetUtcNow();
        var fresh = new List<OpenLead>();
        foreach (var request in requests.GroupBy(r => r.Snapshot.ProfileId).Select(g => g.Last()))
        {
            if (_openByProfile.TryGetValue(request.Snapshot.ProfileId, out var leadId))
            {
                var lead = _open[leadId];
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
                var lead = new OpenLead { Card = LeadInsights.Card($"L{NextNumber()}", request with { Team = Team }, Options.Scripts, now) };
                Open(lead, place: true);
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
            foreach (var lead in _open.Values.Where(l => l.Card is { Status: LeadStatus.Offered } c && c.OfferedTo == consultantId).ToList())
            {
                Route(lead, now);
            }
            await SaveAndPublishAsync();
        }
    }

    public async Task<ClaimResult> ClaimAsync(string leadId, Consultant consultant)
    {
        if (!_open.TryGetValue(leadId, out var lead) || consultant.Team != Team)
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
        if (_open.TryGetValue(leadId, out var lead) && lead.Card is { Status: LeadStatus.Offered } card && card.OfferedTo == consultant.Id)
        {
            Route(lead, clock.GetUtcNow());
            await SaveAndPublishAsync();
        }
    }

    public async Task<LeadCard?> RecordOutcomeAsync(string leadId, Consultant consultant, LeadOutcome outcome, string? lostReason)
    {
        if (!_open.TryGetValue(leadId, out var lead) || consultant.Team != Team
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
        if (_openByProfile.TryGetValue(profileId, out var leadId) && _open.TryGetValue(leadId, out var lead))
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
        if (!_open.TryGetValue(leadId, out var lead) || consultant.Team != Team)
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
            _rowChanged = true;
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
        if (!_open.TryGetValue(leadId, out var lead) || consultant.Team != Team)
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
            || !_open.TryGetValue(leadId, out var lead))
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
            || !_open.TryGetValue(leadId, out var lead)
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
        var open = _open.Values.Select(l => l.Card).ToList();
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

    /// <summary>The next lead number, reserving another block of them when this one runs out.</summary>
    private long NextNumber()
    {
        if (++_sequence > state.State.Sequence)
        {
            state.State.Sequence = _sequence + NumbersReservedAtOnce - 1;
            _rowChanged = true;
        }
        return _sequence;
    }

    private ConsultantRecord RecordOf(Consultant consultant)
    {
        if (!state.State.Consultants.TryGetValue(consultant.Id, out var record))
        {
            state.State.Consultants[consultant.Id] = record = new ConsultantRecord();
        }
        record.Name = consultant.Name;
        _rowChanged = true;
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
        foreach (var lead in _open.Values)
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
                _rowChanged = true;
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
        foreach (var lead in _waiting.Select(id => _open[id])
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

    /// <summary>Replaces a lead's card, keeping loads, the waiting set and the next due time in step.</summary>
    private void Set(OpenLead lead, LeadCard card)
    {
        Track(lead.Card, card);
        lead.Card = card;
        RemoveFromPage(lead);
        var bytes = LeadStorageSize.Of(lead);
        if (_pageBytes.GetValueOrDefault(lead.Page) + bytes <= LeadPages.MaxBytes)
        {
            AddToPage(lead, lead.Page, bytes);
        }
        else
        {
            // It grew (notes) past what its page has room for.
            Place(lead);
        }
    }

    /// <summary>Takes a lead off the open list.</summary>
    private void Close(OpenLead lead)
    {
        Track(lead.Card, null);
        _open.Remove(lead.Card.LeadId);
        _openByProfile.Remove(lead.Card.ProfileId);
        RemoveFromPage(lead);
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
        foreach (var lead in _open.Values)
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
        [.. _open.Values.Select(l => l.Card).OrderByDescending(c => c.Score).ThenByDescending(c => c.RaisedAt)];

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

    /// <summary>
    /// Writes the router's row, then every page changed since the last write. The row goes first: the
    /// pages it names on activation must include every page written.
    /// </summary>
    private async Task WriteNowAsync()
    {
        try
        {
            if (FirstPage() != state.State.FirstPage)
            {
                state.State.FirstPage = FirstPage();
                _rowChanged = true;
            }
            if (_rowChanged)
            {
                _rowChanged = false;
                await _writer.WriteAsync();
            }
            else
            {
                _writer.CancelSoon();
            }
            if (!_pagesDeferred)
            {
                await WritePagesAsync();
            }
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        state.State.FirstPage = FirstPage();
        await _writer.DeactivatingAsync(reason, cancellationToken);
        // In-memory storage goes with a silo that shuts down; durable storage gets what is still unwritten.
        if (_changedPages.Count > 0 && (!_pagesDeferred || reason.ReasonCode != DeactivationReasonCode.ShuttingDown))
        {
            await WritePagesAsync();
        }
    }

    /// <summary>No page below this one holds an open lead.</summary>
    private long FirstPage() => _pages.Count > 0 ? _pages.First().Key : _lastPage;

    private sealed record Presence(Consultant Consultant, HashSet<string> Connections);

    private const int MaxRevealsKept = 1000;
    private const int PagesReadAtOnce = 64;
    private const int NumbersReservedAtOnce = 10_000;
    private const int PagesReservedAtOnce = 64;
    private const int MaxNotesPerLead = 20;

    [LoggerMessage(Level = LogLevel.Information, Message = "Phone of lead {LeadId} in tenant {Tenant} revealed to consultant {ConsultantId}")]
    private partial void LogPhoneRevealed(string tenant, string leadId, string consultantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} raised in tenant {Tenant} for team {Team} ({Trigger})")]
    private partial void LogRaised(string tenant, string leadId, LeadTrigger trigger, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} claimed by consultant {ConsultantId}")]
    private partial void LogClaimed(string tenant, string leadId, string consultantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} offer to {ConsultantId} expired")]
    private partial void LogExpired(string tenant, string leadId, string? consultantId);


    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} escalated to the manager of team {Team}")]
    private partial void LogEscalated(string tenant, string leadId, string team);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lead {LeadId} in tenant {Tenant} outcome {Outcome}")]
    private partial void LogOutcome(string tenant, string leadId, LeadOutcome outcome);
}
