using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// A test stand-in's hosting: a real Kestrel server on a free loopback port, quiet, started once
/// (as an xunit fixture or through the subclass's own factory) and stopped on dispose. Subclasses
/// only map their routes.
/// </summary>
public abstract class LoopbackServer : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary><c>http://127.0.0.1:{port}</c>, no trailing slash; set once started.</summary>
    public string BaseUrl { get; private set; } = "";

    protected abstract void Map(WebApplication app);

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        Map(_app);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates and starts a stand-in outside xunit's fixtures.</summary>
    protected static async Task<T> StartAsync<T>(T server) where T : LoopbackServer
    {
        await server.InitializeAsync();
        return server;
    }
}
