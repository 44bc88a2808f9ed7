namespace O2O.Grains.Administration;

/// <summary>
/// The browser origins any live source of any tenant allows, for CORS preflights (which carry no
/// write key). Key: <see cref="Key"/> (one for the whole service).
/// </summary>
public interface IAllowedOriginsGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>Replaces one tenant's origins.</summary>
    Task SetAsync(string tenant, IReadOnlyList<string> origins);

    /// <summary>Every tenant's origins together.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<string>> GetAsync();
}
