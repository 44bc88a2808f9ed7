using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Grains;

/// <summary>
/// Merges that meet: two anonymous profiles each pulled into the other at the same moment.
/// </summary>
public sealed class ProfileMergeTests(ClusterFixture cluster)
{
    // Whether two merges meet is a race: one pair met seldom, forty in one batch met on every run
    // before merges were driven from one side (each run failed on a 30 s MergeFromAsync timeout).
    private const int Pairs = 40;
    private readonly EventMaker _make = new(ClusterFixture.NewTenant());

    [Fact]
    public async Task TwoDevicesLinkedBothWaysAtOnceBecomeOnePerson()
    {
        // Each pair: two devices of one person, each with an anonymous profile of its own.
        var pairs = Enumerable.Range(0, Pairs).Select(n => (A: $"pc-{n}", B: $"phone-{n}")).ToList();
        await cluster.ApplyAsync([.. pairs.SelectMany(p => new[] { _make.Page(p.A, "/"), _make.Page(p.B, "/gio-hang") })]);
        var before = new List<(string A, string B)>();
        foreach (var (a, b) in pairs)
        {
            var (profileA, profileB) = (await ProfileByAnonymousAsync(a), await ProfileByAnonymousAsync(b));
            profileA.ProfileId.ShouldNotBe(profileB.ProfileId);
            before.Add((profileA.ProfileId, profileB.ProfileId));
        }

        // One batch links each pair both ways (each device's alias names the other): the devices resolve
        // in parallel, each to its own profile, and each pulls the other one in. Before merges were
        // driven from one side only, both held their own profile waiting for the other's until the call
        // timed out (30 s), and the batch failed.
        await cluster.ApplyAsync([.. pairs.SelectMany(p => new[] { Link(p.A, p.B), Link(p.B, p.A) })]);

        for (var n = 0; n < Pairs; n++)
        {
            var (a, b) = pairs[n];
            var byA = await ProfileByAnonymousAsync(a);
            var byB = await ProfileByAnonymousAsync(b);
            byB.ProfileId.ShouldBe(byA.ProfileId, $"pair {n} is one person");
            byA.ProfileId.ShouldBeOneOf(before[n].A, before[n].B);
            byA.Totals.PageViews.ShouldBe(2, $"pair {n} keeps both devices' history once");
            byA.Identities.ShouldBe([$"anon:{a}", $"anon:{b}"], ignoreOrder: true);
            // Both old profile ids read the person: one is the person, the other forwards to it (no circle).
            (await Grain(before[n].A).GetAsync())!.ProfileId.ShouldBe(byA.ProfileId);
            (await Grain(before[n].B).GetAsync())!.ProfileId.ShouldBe(byA.ProfileId);
        }
    }

    private CustomerEvent Link(string anonymousId, string previousId) =>
        _make.Make(EventType.Alias, anonymousId) with { PreviousId = previousId };

    private ICustomerGrain Grain(string profileId) => cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(_make.Tenant, profileId));

    private async Task<ProfileView> ProfileByAnonymousAsync(string anonymousId)
    {
        var profileId = await cluster.Grains.Identity(IdentityKey.Of(_make.Tenant, new Identifier(IdentifierKind.Anonymous, anonymousId), TestSecrets.Pseudonyms)).GetProfileAsync();
        profileId.ShouldNotBeNull($"nobody owns {anonymousId}");
        var view = await Grain(profileId).GetAsync();
        view.ShouldNotBeNull();
        return view;
    }
}
