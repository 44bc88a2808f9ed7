namespace O2O.Grains;

/// <summary>
/// Grain storage provider names. Each maps to <c>Orleans:GrainStorage:&lt;name&gt;</c> in
/// configuration (and to one table when Azure Table storage backs it).
/// </summary>
public static class StorageNames
{
    public const string Profiles = "profiles";
    public const string Identities = "identities";
    public const string Stores = "stores";
    public const string Campaigns = "campaigns";
    public const string Leads = "leads";
    /// <summary>Orders, bill links, one-time codes, loyalty, vouchers and their KPIs (O2O master data).</summary>
    public const string MasterData = "masterdata";

    public static readonly string[] All = [Profiles, Identities, Stores, Campaigns, Leads, MasterData];
}

/// <summary>Grain keys are scoped by tenant so that two tenants can never see each other's data.</summary>
public static class TenantKey
{
    public const char Separator = '/';

    public static string Compose(string tenant, string id) => string.Concat(tenant, "/", id);

    public static (string Tenant, string Id) Split(string key)
    {
        var at = key.IndexOf(Separator, StringComparison.Ordinal);
        return at < 0 ? (string.Empty, key) : (key[..at], key[(at + 1)..]);
    }
}
