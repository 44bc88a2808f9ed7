using Azure.Data.Tables;
using Azure.Identity;
using Orleans.Storage;

namespace O2O.Silo.Storage;

/// <summary>Where and how one grain storage name keeps its state in Azure Table storage.</summary>
public sealed class AzureTableStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The account's table service. Set it directly or through <see cref="UseConnectionString"/>.</summary>
    public TableServiceClient? TableServiceClient { get; set; }

    /// <summary>The table for this storage name; by default the storage name itself, letters and digits only.</summary>
    public string? TableName { get; set; }

    /// <inheritdoc/>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>
    /// Connects by a storage connection string (Azurite's <c>UseDevelopmentStorage=true</c> or an
    /// account key), or, when given a service URI such as <c>https://acct.table.core.windows.net/</c>,
    /// by <see cref="DefaultAzureCredential"/> (managed identity in Azure).
    /// </summary>
    public void UseConnectionString(string connectionString) => TableServiceClient = CreateClient(connectionString);

    public static TableServiceClient CreateClient(string connectionString) =>
        Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new TableServiceClient(uri, new DefaultAzureCredential())
            : new TableServiceClient(connectionString);

    /// <summary>A valid table name for a storage name: letters and digits, starting with a letter, 3 to 63 long.</summary>
    public static string TableNameFor(string storageName)
    {
        var letters = new string([.. storageName.Where(char.IsAsciiLetterOrDigit)]);
        var name = letters.Length > 0 && char.IsAsciiLetter(letters[0]) ? letters : "o2o" + letters;
        name = name.PadRight(3, '0');
        return name.Length > 63 ? name[..63] : name;
    }
}
