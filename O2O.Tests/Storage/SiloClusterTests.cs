using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;
using StackExchange.Redis;

namespace O2O.Tests.Storage;

/// <summary>
/// Real <c>O2O.Silo</c> processes configured only by the environment variables an Aspire AppHost
/// injects, clustered through a real redis-server, storing grain state in a real Azurite.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SiloClusterTests(AzuriteFixture azurite, RedisFixture redis)
{
    private const int EventsPerProfile = 10;

    [Fact]
    public async Task SiloConfiguredByAspireEnvironmentUsesTableStorageAndRedisClustering()
    {
        var clusterId = "config-" + Guid.NewGuid().ToString("N")[..8];
        using var silo = await SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString);
        using var client = await SiloProcess.StartClientAsync(clusterId, redis.ConnectionString);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var resolver = new IdentityResolver(grains, TestSecrets.Pseudonyms);
        var applier = new EventApplier(grains, resolver, TimeProvider.System);
        var events = new EventMaker(ClusterFixture.NewTenant());

        var page = events.Page("anon-config", "/san-pham/ao-dai");
        await applier.ApplyAsync([page, events.Page("anon-config", "/cua-hang/ha-noi")]);
        var (profileId, _) = await resolver.ResolveAsync(page);

        var stored = new List<string>();
        await foreach (var entity in azurite.Tables.GetTableClient(StorageNames.Profiles).QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            stored.Add(entity.RowKey);
        }
        // Rows are keyed by the escaped grain id and state name, in one of the service's partitions.
        stored.ShouldContain(O2O.Silo.Hosting.BatchedTableStorage.RowKey("profile", GrainId.Create("customer", TenantKey.Compose(events.Tenant, profileId!))));

        var server = redis.Redis.GetServer(redis.Redis.GetEndPoints()[0]);
        var membershipKeys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: $"*{clusterId}*"))
        {
            membershipKeys.Add(key);
        }
        membershipKeys.ShouldNotBeEmpty();
        var entries = await redis.Redis.GetDatabase().HashGetAllAsync(membershipKeys[0]);
        entries.ShouldContain(e => e.Value.ToString().Contains(silo.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task KillingOneOfThreeSilosLosesAndDoublesNoEvent()
    {
        var clusterId = "fault-" + Guid.NewGuid().ToString("N")[..8];
        var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString)));
        try
        {
            using var client = await SiloProcess.StartClientAsync(clusterId, redis.ConnectionString);
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var resolver = new IdentityResolver(grains, TestSecrets.Pseudonyms);
            var applier = new EventApplier(grains, resolver, TimeProvider.System);
            var maker = new EventMaker(ClusterFixture.NewTenant());
            const int profiles = 120;
            // Round r holds every profile's r-th event: a steady stream in which every profile keeps moving.
            var rounds = Enumerable.Range(0, EventsPerProfile)
                .Select(r => Enumerable.Range(0, profiles).Select(p => maker.Page($"anon-{p}", $"/p/{r}")).ToList())
                .ToList();

            foreach (var round in rounds.Take(3))
            {
                await ApplyUntilAcceptedAsync(applier, round);
            }
            var profileIds = new List<string>();
            foreach (var e in rounds[0])
            {
                profileIds.Add(TenantKey.Compose(maker.Tenant, (await resolver.ResolveAsync(e)).ProfileId!));
            }
            var management = grains.GetGrain<IManagementGrain>(0);
            var homes = new Dictionary<string, SiloAddress?>();
            foreach (var id in profileIds)
            {
                homes[id] = await management.GetActivationAddress(grains.GetGrain<ICustomerGrain>(id));
            }
            var victimAddress = homes.Values.OfType<SiloAddress>().GroupBy(a => a).MaxBy(g => g.Count())!.Key;
            var victim = silos.Single(s => s.SiloPort == victimAddress.Endpoint.Port);
            var orphans = homes.Where(h => h.Value == victimAddress).Select(h => h.Key).ToList();
            orphans.ShouldNotBeEmpty();

            var batches = rounds.Skip(3).SelectMany(r => r.Chunk(40)).ToList();
            for (var b = 0; b < batches.Count; b++)
            {
                if (b == 2)
                {
                    victim.Kill();
                }
                await ApplyUntilAcceptedAsync(applier, batches[b]);
            }

            foreach (var id in profileIds)
            {
                var profile = await grains.GetGrain<ICustomerGrain>(id).GetAsync();
                profile.ShouldNotBeNull();
                profile.Totals.Events.ShouldBe(EventsPerProfile, $"profile {id}");
            }
            foreach (var id in orphans)
            {
                var home = await management.GetActivationAddress(grains.GetGrain<ICustomerGrain>(id));
                home.ShouldNotBeNull();
                home.ShouldNotBe(victimAddress);
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Dispose();
            }
        }
    }

    /// <summary>What every feed does: a batch that fails is applied again whole until it is accepted.</summary>
    private static async Task ApplyUntilAcceptedAsync(EventApplier applier, IReadOnlyList<CustomerEvent> batch)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            try
            {
                await applier.ApplyAsync(batch);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }
}
