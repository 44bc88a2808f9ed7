using Azure.Data.Tables;
using O2O.Silo.Storage;
using Orleans.Providers;

[assembly: RegisterProvider(AzureTableStorageProviderBuilder.ProviderType, "GrainStorage", "Silo", typeof(AzureTableStorageProviderBuilder))]

namespace O2O.Silo.Storage;

/// <summary>
/// Builds Table grain storage from <c>Orleans:GrainStorage:&lt;name&gt;</c>, the keys an Aspire AppHost
/// injects: <c>ProviderType=AzureTableStorage</c>, <c>ServiceKey</c> naming a keyed
/// <see cref="TableServiceClient"/> or a <c>ConnectionStrings:&lt;key&gt;</c> entry; optionally
/// <c>ConnectionString</c> and <c>TableName</c> directly.
/// </summary>
public sealed class AzureTableStorageProviderBuilder : IProviderBuilder<ISiloBuilder>
{
    public const string ProviderType = "AzureTableStorage";

    public void Configure(ISiloBuilder builder, string? name, IConfigurationSection configurationSection)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.AddAzureTableGrainStorage(name, options => options.Configure<IServiceProvider>((o, services) =>
        {
            if (configurationSection["TableName"] is { Length: > 0 } tableName)
            {
                o.TableName = tableName;
            }
            if (configurationSection["ServiceKey"] is { Length: > 0 } serviceKey)
            {
                o.TableServiceClient = services.GetKeyedService<TableServiceClient>(serviceKey)
                    ?? (services.GetRequiredService<IConfiguration>().GetConnectionString(serviceKey) is { Length: > 0 } connectionString
                        ? AzureTableStorageOptions.CreateClient(connectionString)
                        : throw new InvalidOperationException($"Grain storage '{name}' names service key '{serviceKey}', but there is neither a keyed TableServiceClient nor ConnectionStrings:{serviceKey}."));
            }
            else if (configurationSection["ConnectionString"] is { Length: > 0 } connectionString)
            {
                o.UseConnectionString(connectionString);
            }
        }));
    }
}
