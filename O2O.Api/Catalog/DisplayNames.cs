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
}

public static class DisplayNamesExtensions
{
    public static TBuilder AddDisplayNames<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DisplayNames>().BindConfiguration(DisplayNames.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
