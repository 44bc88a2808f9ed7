using Microsoft.Extensions.Options;
using O2O.Grains.Administration;

namespace O2O.Api.Catalog;

/// <summary>
/// What people call the codes the data carries (section <c>O2O:Names</c>): stores, campaigns,
/// channels and products. Screens show the name when one is known and the code otherwise.
/// </summary>
public sealed class DisplayNames
{
    public const string Section = "O2O:Names";

    public Dictionary<string, string> Stores { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> Campaigns { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Products and pages by slug (<c>ao-dai-lua</c>, <c>bang-gia</c>).</summary>
    public Dictionary<string, string> Products { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string Store(string id) => Stores.GetValueOrDefault(id) ?? id;

    public string Campaign(string id) => Campaigns.GetValueOrDefault(id) ?? id;

    public string Channel(string id) => Channels.GetValueOrDefault(id) ?? id;

    /// <summary>These names with the stores' names as an administrator set them laid over the configured ones.</summary>
    public DisplayNames WithStores(IEnumerable<StoreSettings> stores)
    {
        var named = new Dictionary<string, string>(Stores, StringComparer.OrdinalIgnoreCase);
        foreach (var store in stores)
        {
            named[store.Code] = store.Name;
        }
        return new DisplayNames { Stores = named, Campaigns = Campaigns, Channels = Channels, Products = Products };
    }
}

/// <summary>
/// The names a tenant's screens show: the stores its administrators named on the administration
/// page, over the names in configuration (which stay the fallback for campaigns, channels and products).
/// </summary>
public sealed class TenantNames(IGrainFactory grains, IOptionsMonitor<DisplayNames> configured)
{
    public async Task<DisplayNames> ForAsync(string tenant)
    {
        var administration = await grains.GetGrain<ITenantAdministrationGrain>(tenant).GetAsync();
        return configured.CurrentValue.WithStores(administration.Stores);
    }
}

public static class DisplayNamesExtensions
{
    public static TBuilder AddDisplayNames<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DisplayNames>().BindConfiguration(DisplayNames.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantNames>();
        return builder;
    }
}
