using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using O2O.Grains;
using O2O.Silo.Hosting;
using O2O.Tests.Infrastructure;
using Orleans.Storage;

namespace O2O.Tests.Storage;

/// <summary>
/// A silo hosted exactly as O2O.Silo hosts it (<c>AddO2OSilo</c>), every grain storage name on
/// Azurite through the keys an Aspire AppHost injects; its providers are Orleans' own Azure Table ones.
/// </summary>
public sealed class TableStorageSilo(AzuriteFixture azurite) : IAsyncLifetime
{
    public const string ServiceId = "storage-tests";

    private WebApplication? _app;

    public IServiceProvider Services => _app!.Services;

    /// <summary>The grain storage registered under <paramref name="name"/>.</summary>
    public IGrainStorage Storage(string name) => Services.GetRequiredKeyedService<IGrainStorage>(name);

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:ServiceId"] = ServiceId,
            ["ConnectionStrings:tables"] = azurite.ConnectionString,
            ["O2O:Demo:Enabled"] = "false",
        };
        foreach (var name in StorageNames.All)
        {
            settings[$"Orleans:GrainStorage:{name}:ProviderType"] = "AzureTableStorage";
            settings[$"Orleans:GrainStorage:{name}:ServiceKey"] = "tables";
        }
        _app = await StartAsync(settings);
    }

    /// <summary>A silo hosted as O2O.Silo hosts it (<c>AddO2OSilo</c>), with these settings, started.</summary>
    public static async Task<WebApplication> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // A free loopback port, never Kestrel's default 5000: the machine runs other silos and Apis too.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddO2OSilo();
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
