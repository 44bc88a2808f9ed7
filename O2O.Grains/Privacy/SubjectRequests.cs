using O2O.Grains.Consent;
using O2O.Grains.AdExport;
using O2O.Grains.Profiles;

namespace O2O.Grains.Privacy;

/// <summary>The data-subject rights O2O serves.</summary>
public enum SubjectRequestKind : byte
{
    Access = 1,
    Correction = 2,
    Erasure = 3,
}

/// <summary>Everything O2O holds about one person, as the right of access hands it over.</summary>
[GenerateSerializer, Immutable, Alias("o2o.subject-export")]
public sealed record SubjectExport
{
    [Id(0)] public required ProfileView Profile { get; init; }
    [Id(1)] public required IReadOnlyList<ConsentRecord> Consents { get; init; }
    [Id(2)] public required IReadOnlyList<ConversionRecord> Conversions { get; init; }
    /// <summary>The team whose router holds the person's open lead, if any.</summary>
    [Id(3)] public string? OpenLeadTeam { get; init; }
}

/// <summary>
/// Proof that a person was erased: when, which profile, and what was cleared where. It names no
/// identifier: the subject appears only as the keyed hash the request was made with.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.erasure-receipt")]
public sealed record ErasureReceipt
{
    [Id(0)] public required string ProfileId { get; init; }
    [Id(1)] public required DateTimeOffset ErasedAt { get; init; }
    /// <summary>Identifier kinds put on the suppression list (phone, email, ...), one entry each.</summary>
    [Id(2)] public required IReadOnlyList<string> SuppressedIdentifiers { get; init; }
    /// <summary>Anonymous profiles merged into this one whose forwarding notes were cleared.</summary>
    [Id(3)] public required IReadOnlyList<string> MergedProfiles { get; init; }
    /// <summary>Lead boards the person was taken off (every store's and the tenant-wide one).</summary>
    [Id(4)] public required IReadOnlyList<string> LeadBoards { get; init; }
    /// <summary>Teams whose routers were told to drop the person's lead.</summary>
    [Id(5)] public required IReadOnlyList<string> LeadRouters { get; init; }
    /// <summary>Stores whose visitor lists now count the person as an anonymous visitor.</summary>
    [Id(6)] public required IReadOnlyList<string> StoreVisitorLists { get; init; }
    /// <summary>What was kept, and why.</summary>
    [Id(7)] public required IReadOnlyList<string> Kept { get; init; }
}

/// <summary>
/// One served request in the tenant's audit trail. No identifier in clear: <see cref="Subject"/> is the
/// keyed hash of the identifier the request named; <see cref="Requester"/> is who asked.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.subject-request")]
public sealed record SubjectRequestRecord(
    [property: Id(0)] string RequestId,
    [property: Id(1)] SubjectRequestKind Kind,
    [property: Id(2)] string Subject,
    [property: Id(3)] string? ProfileId,
    [property: Id(4)] string Requester,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string Outcome,
    [property: Id(7)] ErasureReceipt? Receipt);

/// <summary>
/// The audit trail of data-subject requests of one tenant. Key: the tenant id. Keeps erasure receipts
/// after the person is gone, as proof of completion.
/// </summary>
public interface IPrivacyLedgerGrain : IGrainWithStringKey
{
    Task RecordAsync(SubjectRequestRecord record);

    /// <summary>The newest requests first.</summary>
    Task<IReadOnlyList<SubjectRequestRecord>> GetAsync(int take);

    Task<SubjectRequestRecord?> FindAsync(string requestId);
}

[GenerateSerializer, Alias("o2o.privacy-ledger-state")]
public sealed class PrivacyLedgerState
{
    [Id(0)] public List<SubjectRequestRecord> Requests { get; set; } = [];
}

/// <inheritdoc cref="IPrivacyLedgerGrain"/>
public sealed class PrivacyLedgerGrain(
    [PersistentState("privacy-ledger", StorageNames.Profiles)] IPersistentState<PrivacyLedgerState> state) : Grain, IPrivacyLedgerGrain
{
    public async Task RecordAsync(SubjectRequestRecord record)
    {
        state.State.Requests.Add(record);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<SubjectRequestRecord>> GetAsync(int take) =>
        Task.FromResult<IReadOnlyList<SubjectRequestRecord>>([.. state.State.Requests.AsEnumerable().Reverse().Take(take)]);

    public Task<SubjectRequestRecord?> FindAsync(string requestId) =>
        Task.FromResult(state.State.Requests.FindLast(r => r.RequestId == requestId));
}
