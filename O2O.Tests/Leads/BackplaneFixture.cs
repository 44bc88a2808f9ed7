using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace O2O.Tests.Leads;

/// <summary>
/// Two Api nodes whose embedded silos form one cluster, sharing a SignalR Redis backplane on a real
/// <c>redis-server</c> started on a free loopback port for this run and stopped by its process id.
/// </summary>
public sealed class BackplaneFixture : IAsyncLifetime
{
    private Process? _redis;

    public LeadsApiFactory First { get; private set; } = null!;

    public LeadsApiFactory Second { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var port = FreePort();
        try
        {
            _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: apt-get install -y redis-server (./test.sh does).", e);
        }
        await WaitForPortAsync(port);

        var redis = $"127.0.0.1:{port}";
        var primarySilo = FreePort();
        First = new Node(redis, primarySilo, primarySilo);
        await First.InitializeAsync();
        Second = new Node(redis, FreePort(), primarySilo);
        await Second.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
        if (_redis is { HasExited: false })
        {
            _redis.Kill();
            await _redis.WaitForExitAsync();
        }
        _redis?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>One Api node: its silo joins the cluster whose first silo listens on <paramref name="primarySilo"/>.</summary>
    private sealed class Node(string redis, int siloPort, int primarySilo) : LeadsApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:signalr", redis);
            builder.UseSetting("Orleans:Endpoints:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services => services.Configure<DevelopmentClusterMembershipOptions>(
                o => o.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, primarySilo)));
        }
    }
}
