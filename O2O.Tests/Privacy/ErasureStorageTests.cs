using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Campaigns;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Leads;
using O2O.Grains.Profiles;
using O2O.Grains.Stores;
using O2O.Silo.Hosting;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Privacy;

/// <summary>
/// Erasure and pseudonyms against what is really stored: a real <c>O2O.Silo</c> process on Azurite
/// Table storage, every table read back row by row (generically, whatever provider wrote it) and
/// searched for the person's phone, email and name bytes.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ErasureStorageTests(AzuriteFixture azurite, RedisFixture redis)
{
    private const string Name = "Nguyễn Thị Mai Phương";

    [Fact]
    public async Task AfterErasureNoTableHoldsThePersonTheSamePhoneIsSuppressedAndCountsAreUnchanged()
    {
        var clusterId = "erase-" + Guid.NewGuid().ToString("N")[..8];
        using var silo = await SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString);
        using var client = await SiloProcess.StartClientAsync(clusterId, redis.ConnectionString);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var resolver = new IdentityResolver(grains, TestSecrets.Pseudonyms);
        var applier = new EventApplier(grains, resolver, TimeProvider.System);
        var make = new EventMaker(ClusterFixture.NewTenant());
        var subscriber = "9" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var phone = "+84" + subscriber;
        var email = $"mai.phuong.{subscriber}@example.vn";
        var ad = new AdTouch { Source = "facebook", Campaign = "erasure_test", ClickIdType = "fbclid", ClickId = "IwAR-erasure" };

        // Known at two stores: a web visit from an ad, identified, checks in at HCM01, then visits and buys at HCM02.
        await applier.ApplyAsync([
            make.Page("anon-erase", "/san-pham/ao-dai", ad),
            make.Identify("anon-erase", phone, Name) with { Email = email },
            make.CheckIn("HCM01", phone),
        ]);
        await applier.ApplyAsync([make.CheckIn("HCM02", phone), make.Order("HCM02", phone, 2_400_000, "HCM02-77")]);
        var profileId = (await resolver.ResolveAsync(make.CheckIn("HCM01", phone))).ProfileId!;
        var profile = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(make.Tenant, profileId)).GetAsync();
        profile!.Totals.StoreVisits.ShouldBe(2);
        // The person's lead is open at HCM01 (their first store); a lead also sits on HCM02's router, as after a team change.
        (await Router(grains, make.Tenant, "HCM01").GetOpenAsync()).ShouldContain(l => l.ProfileId == profileId && l.Name == Name);
        await Router(grains, make.Tenant, "HCM02").RaiseAsync([new LeadRequest(
            new LeadSnapshot(profileId, Name, ContactPoints.MaskPhone(phone), 70, make.Now, FunnelStage.Purchased, "HCM02", []),
            LeadTrigger.HotScore, "HCM02", LeadInsights.FactsOf(new ProfileState()))]);
        foreach (var store in new[] { "HCM01", "HCM02", ILeadBoardGrain.AllStores })
        {
            (await grains.GetGrain<ILeadBoardGrain>(TenantKey.Compose(make.Tenant, store)).GetTopAsync(10)).ShouldContain(l => l.ProfileId == profileId, store);
        }

        // Before erasure: the scan finds the person where they must be (the profile row; the leads' cards) and
        // nowhere else: no key of any row, and no identity or store row, holds the phone or the email in clear.
        var needles = Needles(subscriber, email);
        await EventHubs.EventHubsHarness.UntilAsync(async () =>
        {
            var found = await ScanAsync(needles);
            return found.Any(f => f.Table == Table(StorageNames.Profiles) && f.Needle == "phone") && found.Any(f => f.Table == Table(StorageNames.Leads) && f.Needle == "name");
        }, "the profile and lead rows written to Azurite");
        var before = await ScanAsync(needles);
        before.ShouldNotContain(f => f.InKey, "no row key may hold a phone, email or name");
        before.Where(f => f.Needle is "phone" or "email").Select(f => f.Table).Distinct().ShouldBe([Table(StorageNames.Profiles)]);

        var storeCounts = await StoreCountsAsync(grains, make.Tenant);
        var campaign = await grains.GetGrain<ICampaignGrain>(TenantKey.Compose(make.Tenant, "erasure_test")).GetReportAsync();

        var receipt = await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(make.Tenant, profileId)).EraseAsync();
        receipt.ShouldNotBeNull();
        receipt.SuppressedIdentifiers.ShouldBe(["phone", "email", "anon"], ignoreOrder: true);
        receipt.LeadRouters.ShouldContain("HCM01");
        receipt.LeadRouters.ShouldContain("HCM02");

        await EventHubs.EventHubsHarness.UntilAsync(async () => (await ScanAsync(needles)).Count == 0, "no table holding the phone, email or name");

        // The same phone from a POS, and a replay of the old check-in: nobody is recreated, nothing counts again.
        resolver = new IdentityResolver(grains, TestSecrets.Pseudonyms);
        applier = new EventApplier(grains, resolver, TimeProvider.System);
        await applier.ApplyAsync([make.CheckIn("HCM01", phone), make.Order("HCM01", phone, 900_000, "HCM01-88")]);
        (await resolver.ResolveAsync(make.CheckIn("HCM01", phone))).ProfileId.ShouldBeNull();
        (await grains.Identity(IdentityKey.Of(make.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).GetOwnerAsync()).Suppressed.ShouldBeTrue();
        (await StoreCountsAsync(grains, make.Tenant)).ShouldBe(storeCounts);
        var campaignAfter = await grains.GetGrain<ICampaignGrain>(TenantKey.Compose(make.Tenant, "erasure_test")).GetReportAsync();
        campaignAfter.Total.Steps.Select(s => s.Reached).ShouldBe(campaign.Total.Steps.Select(s => s.Reached));
        (await ScanAsync(needles)).ShouldBeEmpty();
    }

    private static ILeadRouterGrain Router(IGrainFactory grains, string tenant, string team) => grains.GetGrain<ILeadRouterGrain>(LeadRouterKey.For(tenant, team));

    private static async Task<List<(string Store, long CheckIns, long Orders, long Revenue, int VisitorsToday)>> StoreCountsAsync(IGrainFactory grains, string tenant)
    {
        var counts = new List<(string, long, long, long, int)>();
        foreach (var store in new[] { "HCM01", "HCM02" })
        {
            var r = await grains.GetGrain<IStoreGrain>(TenantKey.Compose(tenant, store)).GetReportAsync();
            counts.Add((store, r.CheckIns, r.Orders, r.Revenue, r.VisitorsToday));
        }
        return counts;
    }

    private static string Table(string storageName) => TableConnections.TableNameFor(storageName);

    private static Dictionary<string, string> Needles(string subscriber, string email) => new()
    {
        // The subscriber digits are in every written form of the phone: 09..., +849..., 849...
        ["phone"] = subscriber,
        ["email"] = email,
        ["name"] = Name,
    };

    /// <summary>Every row of every table, every property, as text and as UTF-8 bytes.</summary>
    private async Task<List<Finding>> ScanAsync(Dictionary<string, string> needles)
    {
        var found = new List<Finding>();
        var service = azurite.Tables;
        await foreach (var table in service.QueryAsync())
        {
            await foreach (var row in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var (property, value) in row)
                {
                    var bytes = value switch
                    {
                        string s => Encoding.UTF8.GetBytes(s),
                        byte[] b => b,
                        BinaryData d => d.ToArray(),
                        _ => null,
                    };
                    if (bytes is null)
                    {
                        continue;
                    }
                    foreach (var (what, needle) in needles)
                    {
                        if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0)
                        {
                            found.Add(new Finding(table.Name, what, property is "PartitionKey" or "RowKey"));
                        }
                    }
                }
            }
        }
        return found;
    }

    private sealed record Finding(string Table, string Needle, bool InKey);
}
