using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using O2O.Api.Consultants;
using O2O.Api.Security;
using O2O.Grains.Leads;

namespace O2O.Api.Hubs;

/// <summary>
/// The consultants' live lead feed at <c>/hubs/leads</c>. A connection joins its team's group and
/// gets the team's open leads at once; alerts (<c>LeadOffered</c>, <c>LeadClaimed</c>,
/// <c>LeadReassigned</c>, <c>LeadClosed</c>, <c>LeadUpdated</c>) arrive through the group.
/// Tenant and team come from the token, never from the caller's arguments.
/// </summary>
[Authorize(Policy = O2OPolicies.Consultant)]
public sealed class LeadsHub(IGrainFactory grains) : Hub
{
    public const string Path = "/hubs/leads";

    /// <summary>The method the open leads are sent with on connect.</summary>
    public const string OpenLeads = "OpenLeads";

    public static string TeamGroup(string tenant, string team) => $"team:{tenant}/{team}";

    private ILeadRouterGrain Router => grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(Context.User!.Tenant(), Context.User!.Consultant().Team));

    public override async Task OnConnectedAsync()
    {
        var consultant = Context.User!.Consultant();
        await Groups.AddToGroupAsync(Context.ConnectionId, TeamGroup(Context.User!.Tenant(), consultant.Team));
        var open = await Router.ConnectAsync(consultant, Context.ConnectionId);
        await Clients.Caller.SendAsync(OpenLeads, open);
    }

    public override Task OnDisconnectedAsync(Exception? exception) =>
        Router.DisconnectAsync(Context.User!.Consultant().Id, Context.ConnectionId);

    /// <summary>Claims a lead; of simultaneous claims exactly one wins and the others learn who.</summary>
    public Task<ClaimResult> ClaimLead(string leadId) => Router.ClaimAsync(leadId, Context.User!.Consultant());

    /// <summary>Passes on an offered lead; it goes to the next consultant now.</summary>
    public Task DeclineLead(string leadId) => Router.DeclineAsync(leadId, Context.User!.Consultant());

    /// <summary>Records what came of a claimed lead. A lost lead needs a reason.</summary>
    public async Task<LeadCard> RecordOutcome(string leadId, LeadOutcome outcome, string? lostReason = null)
    {
        if (!Enum.IsDefined(outcome))
        {
            throw new HubException("outcome: must be Contacted, AppointmentBooked, VisitedStore, Purchased or Lost.");
        }
        if (outcome == LeadOutcome.Lost && string.IsNullOrWhiteSpace(lostReason))
        {
            throw new HubException("lostReason: say why the lead was lost.");
        }
        return await Router.RecordOutcomeAsync(leadId, Context.User!.Consultant(), outcome, lostReason?.Trim())
            ?? throw new HubException("leadId: this lead is not open, or it is claimed by someone else.");
    }
}
