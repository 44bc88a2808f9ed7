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
        await BothSeeTwoActiveSilosAsync(first, second);
        return new TwoApiNodes(first, second);
    }

    /// <summary>
    /// Until both silos know the other is active, each may think it owns a grain's directory entry and
    /// activate the same grain twice, one copy with stale state; a test that starts then would see that.
    /// </summary>
    private static async Task BothSeeTwoActiveSilosAsync(params LeadsApiFactory[] nodes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!nodes.All(n => n.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Count(m => m.Status == SiloStatus.Active) == nodes.Length))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the two Api nodes' silos did not see each other as active within 30 s");
            }
            await Task.Delay(50);
        }
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
