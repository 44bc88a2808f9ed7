using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Leads;
using O2O.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;

namespace O2O.Tests.Leads;

/// <summary>A team's leads as grain storage holds them: the router's row and its pages.</summary>
internal static class StoredLeads
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static IGrainStorage Storage(ClusterFixture cluster) =>
        ((InProcessSiloHandle)cluster.Cluster.Primary!).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Leads);

    /// <summary>The router's own row.</summary>
    public static async Task<LeadRouterState> RouterAsync(ClusterFixture cluster, ILeadRouterGrain router)
    {
        var state = new GrainState<LeadRouterState>(new LeadRouterState());
        await Storage(cluster).ReadStateAsync("router", router.GetGrainId(), state);
        return state.State ?? new LeadRouterState();
    }

    /// <summary>One page's row.</summary>
    public static async Task<LeadPageState> PageAsync(ClusterFixture cluster, string tenant, string team, long page)
    {
        var state = new GrainState<LeadPageState>(new LeadPageState());
        await Storage(cluster).ReadStateAsync(LeadPages.StateName, LeadPages.IdOf(tenant, team, page), state);
        return state.State ?? new LeadPageState();
    }

    /// <summary>Every open lead stored for the router's team, on the pages its row names.</summary>
    public static async Task<IReadOnlyList<OpenLead>> ReadAsync(ClusterFixture cluster, ILeadRouterGrain router)
    {
        var (tenant, team) = TenantKey.Split(router.GetPrimaryKeyString());
        var row = await RouterAsync(cluster, router);
        var leads = new List<OpenLead>(row.Open.Values);
        for (var page = row.FirstPage; page <= row.LastPage; page++)
        {
            leads.AddRange((await PageAsync(cluster, tenant, team, page)).Leads);
        }
        return leads;
    }

    /// <summary>The stored open leads, once they satisfy <paramref name="done"/>.</summary>
    public static async Task<IReadOnlyList<OpenLead>> UntilAsync(ClusterFixture cluster, ILeadRouterGrain router, Func<IReadOnlyList<OpenLead>, bool> done)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var leads = await ReadAsync(cluster, router);
            if (done(leads))
            {
                return leads;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Stored leads still {leads.Count}");
            }
            await Task.Delay(50);
        }
    }
}
