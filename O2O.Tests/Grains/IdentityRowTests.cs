using O2O.Grains.Events;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
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

        // The same person on a second device: that device's own derived profile, which never held
        // anything, is written once as a note pointing at the person; the device has no row of its own.
        var secondDevice = Identity(IdentifierKind.Anonymous, "second-device");
        var secondDerived = (await secondDevice.GetProfileAsync()).ShouldNotBeNull();
        await cluster.Applier.ApplyAsync([_make.Identify("second-device", phone, "Trần Thị Mai")]);
        await cluster.Applier.ApplyAsync([_make.Page("second-device", "/giay")]);

        RecordingStorage.Of(secondDevice.GetGrainId()).ShouldBeNull("the derived profile's note says where the device went");
        RecordingStorage.Of(Profile(secondDerived).GetGrainId())!.Writes.ShouldBe(1);
        (await Profile(secondDerived).LocateAsync()).MergedInto.ShouldBe(visitor);
        (await cluster.Grains.ProfileOfAsync(_make.Tenant, new Identifier(IdentifierKind.Anonymous, "second-device"), TestSecrets.Pseudonyms))
            .ShouldNotBeNull().ProfileId.ShouldBe(visitor);
        (await ProfileAsync(visitor)).Totals.PageViews.ShouldBe(2);
        (await ProfileAsync(secondDerived)).ProfileId.ShouldBe(visitor);
    }

    [Fact]
    public async Task AReturningDeviceCostsItsProfilesReadAloneWithItsPhoneAndAJoinedDeviceLandsOnItsPerson()
    {
        const string phone = "+84907775678";
        await cluster.Applier.ApplyAsync([_make.Page("laptop", "/ao-dai")]);
        await cluster.Applier.ApplyAsync([_make.Identify("laptop", phone, "Lê Văn Hùng")]);
        await cluster.Applier.ApplyAsync([_make.Identify("phone-browser", phone, "Lê Văn Hùng")]);
        var person = (await Identity(IdentifierKind.Phone, phone).GetProfileAsync()).ShouldNotBeNull();
        var laptopProfile = Profile(IdentityKey.DerivedProfileId(Identity(IdentifierKind.Anonymous, "laptop").GetPrimaryKeyString()));
        laptopProfile.GetPrimaryKeyString().ShouldEndWith(person, customMessage: "the laptop came first: the person lives on its derived profile");

        var applier = new EventApplier(cluster.Grains, await RestartedAsync(), IndexCluster.Clock);
        var grainsRead = new[] { laptopProfile.GetGrainId(), Identity(IdentifierKind.Anonymous, "laptop").GetGrainId(), Identity(IdentifierKind.Phone, phone).GetGrainId() };
        var before = Array.ConvertAll(grainsRead, RecordingStorage.ReadsOf);

        await applier.ApplyAsync([_make.Page("laptop", "/giay")]);
        await applier.ApplyAsync([_make.Identify("laptop", phone, "Lê Văn Hùng")]);

        var reads = grainsRead.Select((g, i) => RecordingStorage.ReadsOf(g) - before[i]).ToArray();
        reads.ShouldBe([1, 0, 0], "the returning device costs its profile's read; the profile names both of its identifiers");
        (await ProfileAsync(person)).Totals.PageViews.ShouldBe(2);

        // The device that joined the person through its phone lands on the person through its derived profile's note.
        var other = new EventApplier(cluster.Grains, await RestartedAsync(), IndexCluster.Clock);
        await other.ApplyAsync([_make.Page("phone-browser", "/tui")]);
        (await ProfileAsync(person)).Totals.PageViews.ShouldBe(3);
        RecordingStorage.Of(Identity(IdentifierKind.Anonymous, "phone-browser").GetGrainId()).ShouldBeNull();
    }

    [Fact]
    public async Task AnErasedPersonsDevicesStaySuppressedForAResolverThatHasSeenNothingAndANewPhoneWithThemIsNotClaimed()
    {
        const string phone = "+84907779012";
        await cluster.Applier.ApplyAsync([_make.Page("tablet", "/ao-dai")]);
        await cluster.Applier.ApplyAsync([_make.Identify("tablet", phone, "Phạm Thu Trang")]);
        await cluster.Applier.ApplyAsync([_make.Identify("work-pc", phone, "Phạm Thu Trang")]);
        var person = (await Identity(IdentifierKind.Phone, phone).GetProfileAsync()).ShouldNotBeNull();
        (await Profile(person).EraseAsync()).ShouldNotBeNull();

        var fresh = await RestartedAsync();
        // The device the person was first seen on (the erased profile is its own), and the one that
        // joined later (its derived profile forwards to the erased one): both name nobody.
        (await fresh.ResolveAsync(_make.Page("tablet", "/giay"))).ProfileId.ShouldBeNull();
        (await fresh.ResolveAsync(_make.Page("work-pc", "/giay"))).ProfileId.ShouldBeNull();
        (await fresh.ResolveAsync(_make.Identify("work-pc", "+84907779013", "Phạm Thu Trang"))).ProfileId.ShouldBeNull();
        (await Identity(IdentifierKind.Phone, "+84907779013").GetProfileAsync()).ShouldBeNull("an event with a suppressed device claims nothing");
        (await Identity(IdentifierKind.Anonymous, "work-pc").GetOwnerAsync()).Suppressed.ShouldBeTrue();
        (await Identity(IdentifierKind.Phone, phone).GetOwnerAsync()).Suppressed.ShouldBeTrue();
    }

    [Fact]
    public async Task AResolverStillCachingAnErasedPersonsDeviceLeavesANewPhoneWithItUnclaimed()
    {
        const string phone = "+84907779020";
        const string newPhone = "+84907779021";
        await cluster.Applier.ApplyAsync([_make.Page("kiosk", "/ao-dai")]);
        await cluster.Applier.ApplyAsync([_make.Identify("kiosk", phone, "Đỗ Minh Khoa")]);
        var person = (await Identity(IdentifierKind.Phone, phone).GetProfileAsync()).ShouldNotBeNull();
        // Erased through the profile, as on another silo: this applier's resolver still caches the device's owner.
        (await Profile(person).EraseAsync()).ShouldNotBeNull();

        // The cached device places the event on the erased profile, which claimed the new phone before
        // it refused the event: the claim is taken back, and the resolver forgets what it cached.
        (await cluster.Applier.ApplyAsync([_make.Identify("kiosk", newPhone, "Đỗ Minh Khoa")])).Applied.ShouldBe(0);
        (await Identity(IdentifierKind.Phone, newPhone).GetOwnerAsync()).ShouldBe(new IdentityOwner(null, null), "nothing new is kept for an erased person");
        (await cluster.Resolver.ResolveAsync(_make.Identify("kiosk", newPhone, "Đỗ Minh Khoa"))).ProfileId
            .ShouldBeNull("the device is suppressed, and the resolver now asks");
        (await Identity(IdentifierKind.Phone, phone).GetOwnerAsync()).Suppressed.ShouldBeTrue();

        // The new phone alone, from a device nobody erased, is a new person.
        await cluster.Applier.ApplyAsync([_make.Identify("new-laptop", newPhone, "Đỗ Minh Khoa")]);
        (await Identity(IdentifierKind.Phone, newPhone).GetProfileAsync()).ShouldNotBeNull().ShouldNotBe(person);
    }

    [Fact]
    public async Task AResolverStillCachingAnErasedPersonsDeviceMergesNoVisitorIntoThem()
    {
        await cluster.Applier.ApplyAsync([_make.Identify("counter-pc", "+84907779030", "Vũ Hải Yến")]);
        var person = (await Identity(IdentifierKind.Phone, "+84907779030").GetProfileAsync()).ShouldNotBeNull();
        await cluster.Applier.ApplyAsync([_make.Page("shop-tablet", "/giay")]);
        var visitor = (await Identity(IdentifierKind.Anonymous, "shop-tablet").GetProfileAsync()).ShouldNotBeNull();
        (await Profile(person).EraseAsync()).ShouldNotBeNull();

        // The cached device names the erased person; the other device's visitor must not be pulled into them.
        await cluster.Applier.ApplyAsync([_make.Make(EventType.Alias, "counter-pc") with { PreviousId = "shop-tablet" }]);

        (await Profile(visitor).LocateAsync()).MergedInto.ShouldBeNull();
        (await ProfileAsync(visitor)).Totals.PageViews.ShouldBe(1);
        (await Profile(person).LocateAsync()).Identifiers.ShouldBeEmpty();
    }

    [Fact]
    public async Task ANewDeviceActivatesItsProfileAloneAndItsRowIsReadWithoutItsIdentityGrain()
    {
        var device = Identity(IdentifierKind.Anonymous, "new-tablet");
        var derived = IdentityKey.DerivedProfileId(device.GetPrimaryKeyString());
        var readsBefore = RecordingStorage.ReadsOf(device.GetGrainId());

        var fresh = await RestartedAsync();
        await new EventApplier(cluster.Grains, fresh, IndexCluster.Clock).ApplyAsync([_make.Page("new-tablet", "/ao-dai")]);

        (await ProfileAsync(derived)).Totals.PageViews.ShouldBe(1);
        RecordingStorage.ReadsOf(device.GetGrainId()).ShouldBe(readsBefore + 1, "the derived profile read the device's row once, to find none");
        var active = await cluster.Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(device.GetGrainId().Type);
        active.ShouldNotContain(device.GetGrainId(), "a new device costs no identity grain activation");
        RecordingStorage.Of(device.GetGrainId()).ShouldBeNull();
    }

    [Fact]
    public async Task ADeviceRowWrittenBeforeForwardingNotesStillLandsTheDeviceOnItsPerson()
    {
        const string phone = "+84907779040";
        await cluster.Applier.ApplyAsync([_make.Identify("shop-kiosk", phone, "Hoàng Gia Bảo")]);
        var person = (await Identity(IdentifierKind.Phone, phone).GetProfileAsync()).ShouldNotBeNull();
        // An earlier release joined a device whose derived profile held nothing with a row of the device's
        // own, naming the person, and no note. Written here as that release's identity grain did.
        var oldDevice = Identity(IdentifierKind.Anonymous, "old-app");
        var derived = IdentityKey.DerivedProfileId(oldDevice.GetPrimaryKeyString());
        await oldDevice.ReassignAsync(derived, person);
        RecordingStorage.Of(oldDevice.GetGrainId()).ShouldNotBeNull();

        var fresh = await RestartedAsync();
        await new EventApplier(cluster.Grains, fresh, IndexCluster.Clock).ApplyAsync([_make.Page("old-app", "/giay")]);

        (await ProfileAsync(person)).Totals.PageViews.ShouldBe(1);
        (await Profile(derived).LocateAsync()).Known.ShouldBeFalse("nothing was applied to the device's derived profile");
    }

    [Fact]
    public async Task ADeviceSuppressedByARowAloneNamesNobody()
    {
        // An erasure by an earlier release: the device's row is suppressed and its derived profile holds nothing.
        var device = Identity(IdentifierKind.Anonymous, "erased-long-ago");
        var derived = IdentityKey.DerivedProfileId(device.GetPrimaryKeyString());
        await device.SuppressAsync(derived, IndexCluster.Clock.GetUtcNow());

        var fresh = await RestartedAsync();
        (await fresh.ResolveAsync(_make.Page("erased-long-ago", "/ao-dai"))).ProfileId.ShouldBeNull();
        (await fresh.ResolveAsync(_make.Identify("erased-long-ago", "+84907779041", "Ngô Thanh Vân"))).ProfileId.ShouldBeNull();
        (await Identity(IdentifierKind.Phone, "+84907779041").GetProfileAsync()).ShouldBeNull("an event with a suppressed device claims nothing");
        (await Profile(derived).LocateAsync()).Known.ShouldBeFalse();
    }

    [Fact]
    public async Task ABurstOfClaimsForOneNewPhoneAllNameTheFirstClaimantThoughItsGrainLeavesAfterTheWrite()
    {
        var phone = Identity(IdentifierKind.Phone, "+84907779050");
        var claims = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => phone.ClaimAsync($"p_claimant{i}")));

        claims.Distinct().ShouldHaveSingleItem().ShouldNotBeNull();
        (await phone.GetProfileAsync()).ShouldBe(claims[0]);
        RecordingStorage.Of(phone.GetGrainId())!.Writes.ShouldBe(1, "one claim was written; the others read it");
    }

    /// <summary>As after a silo restart: nothing in memory, and a resolver that has seen nothing.</summary>
    private async Task<IdentityResolver> RestartedAsync()
    {
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        return new IdentityResolver(cluster.Grains, TestSecrets.Pseudonyms);
    }

    private ICustomerGrain Profile(string profileId) => cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId));

    private IIdentityGrain Identity(IdentifierKind kind, string value) =>
        cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(kind, value), TestSecrets.Pseudonyms));

    private async Task<ProfileView> ProfileAsync(string profileId) => (await Profile(profileId).GetAsync()).ShouldNotBeNull();
}
