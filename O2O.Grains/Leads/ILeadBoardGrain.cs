using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

/// <summary>
/// The hottest leads of one store, or of the whole tenant. Key: <c>{tenant}/{storeId}</c>, with
/// <see cref="AllStores"/> as the store id for the tenant-wide board.
/// </summary>
public interface ILeadBoardGrain : IGrainWithStringKey
{
    public const string AllStores = "*";

    /// <summary>Adds or refreshes leads; the board keeps only the hottest.</summary>
    Task UpsertAsync(IReadOnlyList<LeadSnapshot> leads);

    /// <summary>The hottest leads now, hottest first.</summary>
    Task<IReadOnlyList<LeadSnapshot>> GetTopAsync(int take);

    /// <summary>Takes a person off the board (erasure).</summary>
    Task RemoveAsync(string profileId);
}
