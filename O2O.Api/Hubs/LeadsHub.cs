using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using O2O.Api.Catalog;
using O2O.Api.Consultants;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;

namespace O2O.Api.Hubs;

/// <summary>
/// The consultants' live lead feed at <c>/hubs/leads</c>. A connection joins its team's group and
/// gets the team's open leads at once; alerts (<c>LeadOffered</c>, <c>LeadClaimed</c>,
/// <c>LeadReassigned</c>, <c>LeadClosed</c>, <c>LeadUpdated</c>) arrive through the group.
/// Tenant and team come from the token, never from the caller's arguments. Refusals are
/// <see cref="HubException"/>s whose message is Vietnamese, written for the consultant to read.
/// </summary>
[Authorize(Policy = O2OPolicies.Consultant)]
public sealed class LeadsHub(IGrainFactory grains, TenantNames names, TimeProvider clock) : Hub
{
    public const string Path = "/hubs/leads";

    /// <summary>The method the open leads are sent with on connect.</summary>
    public const string OpenLeads = "OpenLeads";

    private const int MaxNoteLength = 1000;
    private const int HistoryEntries = 12;

    public static string TeamGroup(string tenant, string team) => $"team:{tenant}/{team}";

    private ILeadRouterGrain Router => grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(Context.User!.Tenant(), Me.Team));

    private Consultant Me => Context.User!.Consultant();

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, TeamGroup(Context.User!.Tenant(), Me.Team));
        var open = await Router.ConnectAsync(Me, Context.ConnectionId);
        await Clients.Caller.SendAsync(OpenLeads, open);
    }

    public override Task OnDisconnectedAsync(Exception? exception) =>
        Router.DisconnectAsync(Me.Id, Context.ConnectionId);

    /// <summary>The server's clock, so countdowns do not depend on the device's.</summary>
    public DateTimeOffset ServerTime() => clock.GetUtcNow();

    /// <summary>Names for the codes lead cards carry: stores, campaigns, channels, products.</summary>
    public Task<DisplayNames> Names() => names.ForAsync(Context.User!.Tenant());

    /// <summary>Claims a lead; of simultaneous claims exactly one wins and the others learn who.</summary>
    public Task<ClaimResult> ClaimLead(string leadId) => Router.ClaimAsync(leadId, Me);

    /// <summary>Passes on an offered lead; it goes to the next consultant now.</summary>
    public Task DeclineLead(string leadId) => Router.DeclineAsync(leadId, Me);

    /// <summary>Records what came of a claimed lead. A lost lead needs a reason.</summary>
    public async Task<LeadCard> RecordOutcome(string leadId, LeadOutcome outcome, string? lostReason = null)
    {
        if (!Enum.IsDefined(outcome))
        {
            throw new HubException("Kết quả không hợp lệ: chọn Đã liên hệ, Đã hẹn lịch, Đã đến cửa hàng, Đã mua hoặc Không thành công.");
        }
        if (outcome == LeadOutcome.Lost && string.IsNullOrWhiteSpace(lostReason))
        {
            throw new HubException("Hãy ghi lý do khách không thành công (lostReason).");
        }
        if (outcome == LeadOutcome.AppointmentBooked)
        {
            throw new HubException("Hãy chọn ngày giờ hẹn.");
        }
        return await Router.RecordOutcomeAsync(leadId, Me, outcome, lostReason?.Trim())
            ?? throw NotYours();
    }

    /// <summary>Records a booked appointment; the time must be in the future.</summary>
    public async Task<LeadCard> BookAppointment(string leadId, DateTimeOffset at)
    {
        if (at <= clock.GetUtcNow())
        {
            throw new HubException("Giờ hẹn phải ở tương lai.");
        }
        return await Router.BookAppointmentAsync(leadId, Me, at) ?? throw NotYours();
    }

    /// <summary>The customer's phone number, for the consultant who claimed the lead only; every reveal is recorded.</summary>
    public async Task<string> RevealPhone(string leadId)
    {
        var profileId = await Router.ProfileForAsync(leadId, Me, toRevealPhone: true)
            ?? throw new HubException("Chỉ người đã nhận khách mới xem được số điện thoại.");
        var profile = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(Context.User!.Tenant(), profileId)).GetAsync();
        return profile?.Identities.FirstOrDefault(i => i.StartsWith("phone:", StringComparison.Ordinal))?["phone:".Length..]
            ?? throw new HubException("Khách này chưa để lại số điện thoại.");
    }

    /// <summary>What the person did before: visits, orders, pages, past consultant outcomes.</summary>
    public async Task<LeadHistory> History(string leadId)
    {
        var profileId = await Router.ProfileForAsync(leadId, Me, toRevealPhone: false)
            ?? throw new HubException("Khách này không còn mở trong nhóm của bạn.");
        var profile = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(Context.User!.Tenant(), profileId)).GetAsync()
            ?? throw new HubException("Không tìm thấy hồ sơ khách.");
        var t = profile.Totals;
        return new LeadHistory(t.StoreVisits, t.Orders, t.Revenue, t.PageViews, t.FirstSeen, t.LastSeen,
            [.. profile.Timeline.Take(HistoryEntries).Select(e => new LeadHistoryEntry(e.Timestamp, e.Type.ToString(), e.Name, e.Detail, e.StoreId))]);
    }

    /// <summary>Adds a note to a lead of the consultant's team.</summary>
    public async Task<LeadCard> AddNote(string leadId, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new HubException("Ghi chú đang trống.");
        }
        if (text.Length > MaxNoteLength)
        {
            throw new HubException($"Ghi chú dài quá {MaxNoteLength} ký tự.");
        }
        return await Router.AddNoteAsync(leadId, Me, text.Trim()) ?? throw new HubException("Khách này không còn mở trong nhóm của bạn.");
    }

    /// <summary>The store manager's view of each consultant.</summary>
    public Task<IReadOnlyList<ConsultantStats>> TeamStats()
    {
        RequireManager();
        return Router.StatsAsync();
    }

    /// <summary>The store manager hands a lead to a consultant of the team.</summary>
    public async Task Reassign(string leadId, string toConsultantId)
    {
        RequireManager();
        if (!await Router.ReassignAsync(leadId, Me, toConsultantId))
        {
            throw new HubException("Không chuyển được: khách đã đóng hoặc tư vấn viên không thuộc cửa hàng.");
        }
    }

    private void RequireManager()
    {
        if (Me.Role != ConsultantRole.Manager)
        {
            throw new HubException("Chỉ quản lý cửa hàng mới làm được việc này.");
        }
    }

    private static HubException NotYours() => new("Khách này đã đóng, hoặc đang do người khác phụ trách.");
}

/// <summary>A person's history as the lead card shows it.</summary>
public sealed record LeadHistory(
    int StoreVisits,
    int Orders,
    long Revenue,
    int PageViews,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    IReadOnlyList<LeadHistoryEntry> Recent);

public sealed record LeadHistoryEntry(DateTimeOffset At, string Type, string? Name, string? Detail, string? StoreId);
