using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Profiles;
using O2O.Silo.Hosting;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Storage;

/// <summary>
/// What a returning person costs on Table storage, and where their devices land, across silo restarts:
/// a silo hosted as O2O.Silo hosts it on Azurite, stopped and started again so that nothing is in memory,
/// each Table operation counted where it leaves the process (<c>o2o.storage.reads</c>, <c>o2o.storage.writes</c>).
/// </summary>
public sealed class ReturningPeopleStorageTests(AzuriteFixture azurite)
{
    private readonly EventMaker _make = new(ClusterFixture.NewTenant(), TimeProvider.System);
    // Tables of this test's own, so the counts are its own whatever else runs in the process.
    private readonly string _prefix = "ret" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task AReturningDeviceCostsOneProfileReadAJoinedDeviceLandsOnItsPersonAndAnErasedPersonsDevicesStaySuppressed()
    {
        const string phone = "+84908881234";
        await using (var first = await StartAsync())
        {
            var applier = first.Services.GetRequiredService<EventApplier>();
            await applier.ApplyAsync([_make.Page("laptop", "/ao-dai")]);
            await applier.ApplyAsync([_make.Identify("laptop", phone, "Vũ Minh Châu")]);
            // A second device joins the person through the phone before it was ever seen alone.
            await applier.ApplyAsync([_make.Identify("phone-browser", phone, "Vũ Minh Châu")]);
            await first.StopAsync();
        }

        string person;
        await using (var again = await StartAsync())
        {
            // Asked first, the joined device is placed by its derived profile's note: one read of the note, one of the person.
            using var ops = new StorageOperations(_prefix);
            await again.Services.GetRequiredService<EventApplier>().ApplyAsync([_make.Page("phone-browser", "/vi")]);
            ops.Reads(Table("profiles")).ShouldBe(2);
            ops.Reads(Table("identities")).ShouldBe(0);
            await again.StopAsync();
        }

        await using (var second = await StartAsync())
        {
            var applier = second.Services.GetRequiredService<EventApplier>();
            var grains = second.Services.GetRequiredService<IGrainFactory>();
            using var ops = new StorageOperations(_prefix);

            await applier.ApplyAsync([_make.Page("laptop", "/giay")]);
            await applier.ApplyAsync([_make.Identify("laptop", phone, "Vũ Minh Châu")]);
            ops.Reads(Table("profiles")).ShouldBe(1, "the returning device's own profile, read once");
            ops.Reads(Table("identities")).ShouldBe(0, "neither the device nor its phone needs its identity row");
            ops.Writes(Table("identities")).ShouldBe(0);

            await applier.ApplyAsync([_make.Page("phone-browser", "/tui")]);
            ops.Reads(Table("profiles")).ShouldBe(1, "the person's profile listed the joined device too, so its note is not read");
            ops.Reads(Table("identities")).ShouldBe(0);

            var view = (await grains.ProfileOfAsync(_make.Tenant, new Identifier(IdentifierKind.Phone, phone), TestSecrets.Pseudonyms)).ShouldNotBeNull();
            view.Totals.PageViews.ShouldBe(4, "both devices' pages landed on the person");
            person = view.ProfileId;
            (await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, person)).EraseAsync()).ShouldNotBeNull();
            await second.StopAsync();
        }

        await using (var third = await StartAsync())
        {
            var applier = third.Services.GetRequiredService<EventApplier>();
            var grains = third.Services.GetRequiredService<IGrainFactory>();
            (await applier.ApplyAsync([_make.Page("laptop", "/")])).Applied.ShouldBe(0);
            (await applier.ApplyAsync([_make.Page("phone-browser", "/")])).Applied.ShouldBe(0);
            (await applier.ApplyAsync([_make.Identify("phone-browser", "+84908881235", "Vũ Minh Châu")])).Applied.ShouldBe(0);
            (await grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Phone, "+84908881235"), TestSecrets.Pseudonyms)).GetProfileAsync())
                .ShouldBeNull("an event from an erased person's device claims nothing");
            (await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, person)).GetAsync()).ShouldBeNull();
            await third.StopAsync();
        }
    }

    private async Task<WebApplication> StartAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:ServiceId"] = _prefix,
            ["ConnectionStrings:tables"] = azurite.ConnectionString,
            ["O2O:Demo:Enabled"] = "false",
            ["O2O:Privacy:PseudonymSecret"] = TestSecrets.PseudonymSecret,
        };
        foreach (var name in StorageNames.All)
        {
            settings[$"Orleans:GrainStorage:{name}:ProviderType"] = "AzureTableStorage";
            settings[$"Orleans:GrainStorage:{name}:ServiceKey"] = "tables";
            settings[$"Orleans:GrainStorage:{name}:TableName"] = Table(name);
        }
        return await TableStorageSilo.StartAsync(settings);
    }

    /// <summary>The full name of this test's table for a storage name.</summary>
    private string Table(string storage) => _prefix + TableConnections.TableNameFor(storage);
}
