namespace O2O.Grains.Leads;

/// <summary>
/// Raises, routes and tracks the open leads of one team: a store's consultants, or the online
/// team. Key: <c>{tenant}/{team}</c> (see <see cref="LeadRouterKey"/>). One grain per team makes
/// "exactly one claim wins" and fair routing single-threaded facts, while stores route in parallel.
/// "At most one open lead per person" is kept by the person's customer grain, which sends every
/// raise for that person to the team already holding their open lead.
/// </summary>
public interface ILeadRouterGrain : IGrainWithStringKey
{
    /// <summary>Raises leads; a person who already has an open lead keeps it (its score is refreshed).</summary>
    Task RaiseAsync(IReadOnlyList<LeadRequest> requests);

    /// <summary>A consultant's connection came up; returns the team's open leads, hottest first.</summary>
    Task<IReadOnlyList<LeadCard>> ConnectAsync(Consultant consultant, string connectionId);

    /// <summary>A consultant's connection went away.</summary>
    Task DisconnectAsync(string consultantId, string connectionId);

    /// <summary>Claims a lead for the consultant; of simultaneous claims exactly one wins.</summary>
    Task<ClaimResult> ClaimAsync(string leadId, Consultant consultant);

    /// <summary>The consultant does not take the offer: it goes to the next one now.</summary>
    Task DeclineAsync(string leadId, Consultant consultant);

    /// <summary>Records what came of a claimed lead; it moves the person's funnel and score.</summary>
    Task<LeadCard?> RecordOutcomeAsync(string leadId, Consultant consultant, LeadOutcome outcome, string? lostReason);

    /// <summary>The team's open leads, hottest first.</summary>
    Task<IReadOnlyList<LeadCard>> GetOpenAsync();

    /// <summary>Drops the person's open lead (right to erasure); consultants see it closed.</summary>
    Task ForgetAsync(string profileId);

    /// <summary>
    /// The profile behind a lead open in the consultant's team, or null. With <paramref name="toRevealPhone"/>
    /// only the consultant who claimed it gets it, and the reveal is recorded (who, which lead, when).
    /// </summary>
    Task<string?> ProfileForAsync(string leadId, Consultant consultant, bool toRevealPhone);

    /// <summary>Adds a note to a lead open in the consultant's team; null when it is not.</summary>
    Task<LeadCard?> AddNoteAsync(string leadId, Consultant consultant, string text);

    /// <summary>Records a booked appointment on a lead the consultant holds.</summary>
    Task<LeadCard?> BookAppointmentAsync(string leadId, Consultant consultant, DateTimeOffset at);

    /// <summary>A manager gives a lead to a consultant of the team; false when not allowed.</summary>
    Task<bool> ReassignAsync(string leadId, Consultant manager, string toConsultantId);

    /// <summary>Per consultant of the team: what they hold, response time, SLA misses and outcomes.</summary>
    Task<IReadOnlyList<ConsultantStats>> StatsAsync();

    /// <summary>An online consultant of the team who could take a conversation now, if any.</summary>
    Task<Consultant?> AvailableConsultantAsync();
}

/// <summary>The key of a team's lead router.</summary>
public static class LeadRouterKey
{
    public static string For(string tenant, string team) => TenantKey.Compose(tenant, team);
}
