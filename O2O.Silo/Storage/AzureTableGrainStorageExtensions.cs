using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace O2O.Silo.Storage;

public static class AzureTableGrainStorageExtensions
{
    /// <summary>Keeps the grain storage <paramref name="name"/> in Azure Table storage.</summary>
    public static ISiloBuilder AddAzureTableGrainStorage(this ISiloBuilder builder, string name, Action<AzureTableStorageOptions> configure) =>
        builder.AddAzureTableGrainStorage(name, options => options.Configure(configure));

    /// <summary>Keeps the grain storage <paramref name="name"/> in Azure Table storage, options built from services.</summary>
    public static ISiloBuilder AddAzureTableGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<AzureTableStorageOptions>> configure) =>
        builder.ConfigureServices(services =>
        {
            configure(services.AddOptions<AzureTableStorageOptions>(name));
            services.AddTransient<IPostConfigureOptions<AzureTableStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<AzureTableStorageOptions>>();
            services.AddGrainStorage(name, Create);
        });

    private static AzureTableGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<AzureTableStorageOptions>>().Get(name);
        if (options.TableServiceClient is null)
        {
            throw new OptionsValidationException(name, typeof(AzureTableStorageOptions),
                [$"Grain storage '{name}' needs a table service: set ServiceKey with ConnectionStrings:<key>, or ConnectionString."]);
        }
        return ActivatorUtilities.CreateInstance<AzureTableGrainStorage>(services, name, options);
    }
}
