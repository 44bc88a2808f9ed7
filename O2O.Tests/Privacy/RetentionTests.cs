using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Privacy;

/// <summary>Anonymous profiles expire after the idle period (13 months by default); identified ones stay.</summary>
/// <remarks>
/// In the shared-clock collection: a sweep is a chain of grain calls, and another test moving the fake
/// clock by days while it runs would make Orleans time the calls out.
/// </remarks>
[Collection(typeof(O2O.Tests.Leads.SharedClockCollection))]
public sealed class RetentionTests(ClusterFixture cluster)
{
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task TheSweepDeletesAnonymousProfilesIdleBeyondRetentionAndFreesTheirDevice()
    {
        // Events dated 14 months back: the shared fake clock stays where the other tests need it.
        var longAgo = _make.Now.AddDays(-430);
        var recent = _make.Now.AddDays(-10);
        await cluster.ApplyAsync(
            _make.Page("idle-device", "/ao-dai") with { Timestamp = longAgo },
            _make.Page("known-device", "/ao-dai") with { Timestamp = longAgo },
            _make.Identify("known-device", "+84907770001", "Phan Văn Đức") with { Timestamp = longAgo },
            _make.Page("fresh-device", "/ao-dai") with { Timestamp = recent });
        var idle = await OwnerAsync(IdentifierKind.Anonymous, "idle-device");
        var known = await OwnerAsync(IdentifierKind.Phone, "+84907770001");
        var fresh = await OwnerAsync(IdentifierKind.Anonymous, "fresh-device");

        var expired = await cluster.Grains.GetGrain<IRetentionSweepGrain>(_make.Tenant).SweepAsync();

        expired.ShouldBe(1);
        (await Profile(idle!).GetAsync()).ShouldBeNull();
        var device = await cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Anonymous, "idle-device"), TestSecrets.Pseudonyms)).GetOwnerAsync();
        // Released, not suppressed (nobody asked to be forgotten): the device belongs to its own derived
        // profile again, which holds nothing now, so its next event starts a new visitor.
        device.ShouldBe(new IdentityOwner(idle, null));
        (await Profile(known!).GetAsync()).ShouldNotBeNull();
        (await Profile(fresh!).GetAsync()).ShouldNotBeNull();
        // A second sweep has nothing left to do for those days.
        (await cluster.Grains.GetGrain<IRetentionSweepGrain>(_make.Tenant).SweepAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task ADeviceBackAfterItsHistoryExpiredStartsAgainAsANewVisitor()
    {
        await cluster.ApplyAsync(_make.Page("returning-device", "/old-page") with { Timestamp = _make.Now.AddDays(-400) });
        await cluster.ApplyAsync(_make.Page("returning-device", "/new-page"));

        var profileId = await OwnerAsync(IdentifierKind.Anonymous, "returning-device");
        var view = await Profile(profileId!).GetAsync();
        view!.Totals.PageViews.ShouldBe(1);
        view.Timeline.ShouldNotContain(t => t.Detail == "/old-page");
    }

    private Task<string?> OwnerAsync(IdentifierKind kind, string value) =>
        cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(kind, value), TestSecrets.Pseudonyms)).GetProfileAsync();

    private ICustomerGrain Profile(string profileId) => cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId));
}
