using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Grains;

/// <summary>
/// Which identities cost a row in storage: an anonymous id belongs to the profile derived from it
/// without one; a phone, or a device that joins a known person, is written.
/// </summary>
[Collection(IndexCollection.Name)]
public sealed class IdentityRowTests(IndexCluster cluster)
{
    private readonly EventMaker _make = new(ClusterFixture.NewTenant(), IndexCluster.Clock);

    [Fact]
    public async Task AnAnonymousVisitorCostsNoIdentityRowAndADeviceJoiningAKnownPersonIsWritten()
    {
        const string phone = "+84907771234";
        await cluster.Applier.ApplyAsync([_make.Page("first-device", "/ao-dai")]);

        var firstDevice = Identity(IdentifierKind.Anonymous, "first-device");
        RecordingStorage.Of(firstDevice.GetGrainId()).ShouldBeNull("an anonymous visitor's identity is implied by its key");
        var visitor = (await firstDevice.GetProfileAsync()).ShouldNotBeNull();
        (await ProfileAsync(visitor)).Totals.PageViews.ShouldBe(1);

        // The visitor leaves a phone: the phone is written, the device still is not.
        await cluster.Applier.ApplyAsync([_make.Identify("first-device", phone, "Trần Thị Mai")]);
        var person = Identity(IdentifierKind.Phone, phone);
        RecordingStorage.Of(person.GetGrainId())!.Writes.ShouldBe(1);
        (await person.GetProfileAsync()).ShouldBe(visitor);
        RecordingStorage.Of(firstDevice.GetGrainId()).ShouldBeNull();

        // The same person on a second device: that device's row names the person, and its own
        // derived profile, which never held anything, points at the person.
        var secondDevice = Identity(IdentifierKind.Anonymous, "second-device");
        var secondDerived = (await secondDevice.GetProfileAsync()).ShouldNotBeNull();
        await cluster.Applier.ApplyAsync([_make.Identify("second-device", phone, "Trần Thị Mai")]);
        await cluster.Applier.ApplyAsync([_make.Page("second-device", "/giay")]);

        RecordingStorage.Of(secondDevice.GetGrainId())!.Writes.ShouldBe(1);
        (await secondDevice.GetProfileAsync()).ShouldBe(visitor);
        (await ProfileAsync(visitor)).Totals.PageViews.ShouldBe(2);
        (await ProfileAsync(secondDerived)).ProfileId.ShouldBe(visitor);
    }

    private IIdentityGrain Identity(IdentifierKind kind, string value) =>
        cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(kind, value), TestSecrets.Pseudonyms));

    private async Task<ProfileView> ProfileAsync(string profileId) =>
        (await cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId)).GetAsync()).ShouldNotBeNull();
}
