namespace O2O.Grains.Leads;

/// <summary>
/// Raises, routes and tracks the open leads of one tenant across all its teams (stores and the
/// online team). Key: <c>tenant</c>. One grain per tenant makes "at most one open lead per person"
/// and "exactly one claim wins" single-threaded facts instead of distributed ones.
/// </summary>
public interface ILeadRouterGrain : IGrainWithStringKey
{
    /// <summary>Raises leads; a person who already has an open lead keeps it (its score is refreshed).</summary>
    Task RaiseAsync(IReadOnlyList<LeadRequest> requests);

    /// <summary>A consultant's connection came up; returns the open leads of their team.</summary>
    Task<IReadOnlyList<LeadCard>> ConnectAsync(Consultant consultant, string connectionId);

    /// <summary>A consultant's connection went away.</summary>
    Task DisconnectAsync(string consultantId, string connectionId);

    /// <summary>Claims a lead for the consultant; of simultaneous claims exactly one wins.</summary>
    Task<ClaimResult> ClaimAsync(string leadId, Consultant consultant);

    /// <summary>The consultant does not take the offer: it goes to the next one now.</summary>
    Task DeclineAsync(string leadId, Consultant consultant);

    /// <summary>Records what came of a claimed lead; it moves the person's funnel and score.</summary>
    Task<LeadCard?> RecordOutcomeAsync(string leadId, Consultant consultant, LeadOutcome outcome, string? lostReason);

    /// <summary>The open leads of a team, hottest first.</summary>
    Task<IReadOnlyList<LeadCard>> GetOpenAsync(string team);

    /// <summary>Drops the person's open lead (right to erasure); consultants see it closed.</summary>
    Task ForgetAsync(string profileId);

    /// <summary>An online consultant of the team who could take a conversation now, if any.</summary>
    Task<Consultant?> AvailableConsultantAsync(string team);
}
