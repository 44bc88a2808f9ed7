using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using O2O.Tests.Infrastructure;
using Orleans.Configuration;

namespace O2O.Tests.Leads;

/// <summary>
/// Two Api nodes whose embedded silos form one cluster and share a SignalR Redis backplane on the
/// run's real <c>redis-server</c> (<see cref="RedisFixture"/>).
/// </summary>
public sealed class TwoApiNodes : IAsyncDisposable
{
    private TwoApiNodes(LeadsApiFactory first, LeadsApiFactory second)
    {
        First = first;
        Second = second;
    }

    public LeadsApiFactory First { get; }

    public LeadsApiFactory Second { get; }

    public static async Task<TwoApiNodes> StartAsync(RedisFixture redis)
    {
        var primarySilo = ServerProcess.FreeTcpPort();
        var first = new Node(redis.ConnectionString, primarySilo, primarySilo);
        await first.InitializeAsync();
        var second = new Node(redis.ConnectionString, ServerProcess.FreeTcpPort(), primarySilo);
        await second.InitializeAsync();
        return new TwoApiNodes(first, second);
    }

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }

    /// <summary>One Api node: its silo joins the cluster whose first silo listens on <paramref name="primarySilo"/>.</summary>
    private sealed class Node(string redis, int siloPort, int primarySilo) : LeadsApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:redis", redis);
            builder.UseSetting("Orleans:Endpoints:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services => services.Configure<DevelopmentClusterMembershipOptions>(
                o => o.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, primarySilo)));
        }
    }
}
