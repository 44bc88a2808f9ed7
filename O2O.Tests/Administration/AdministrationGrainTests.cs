using O2O.Grains.Administration;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Administration;

/// <summary>The administration grains on the shared test cluster, with its hand-moved clock.</summary>
public sealed class AdministrationGrainTests(ClusterFixture cluster)
{
    private static readonly Actor Admin = new("oid-admin", "Quản Trị");

    [Fact]
    public async Task ARotatedKeyKeepsWorkingForTheOverlapOnly()
    {
        var tenant = ClusterFixture.NewTenant();
        var admin = cluster.Grains.GetGrain<ITenantAdministrationGrain>(tenant);
        var (oldKey, newKey) = (Secrets.Digest(Secrets.New(CredentialKind.WriteKey)), Secrets.Digest(Secrets.New(CredentialKind.WriteKey)));
        (await admin.CreateSourceAsync(Admin, "web", new SourceTerms("web", [], null, TimeSpan.FromSeconds(1)), oldKey)).ShouldNotBeNull();

        await admin.RotateSourceKeyAsync(Admin, "web", newKey, TimeSpan.FromHours(2));
        var now = ClusterFixture.Clock.GetUtcNow();
        (await CredentialAsync(oldKey)).IsValidAt(now).ShouldBeTrue("the old key works during the overlap");
        (await CredentialAsync(newKey)).IsValidAt(now).ShouldBeTrue();

        var after = now + TimeSpan.FromHours(2);
        (await CredentialAsync(oldKey)).IsValidAt(after).ShouldBeFalse("the old key stops when the overlap ends");
        (await CredentialAsync(newKey)).IsValidAt(after).ShouldBeTrue();
        (await CredentialAsync(newKey)).Tenant.ShouldBe(tenant);
    }

    [Fact]
    public async Task ARevokedConfiguredKeyStaysRevokedWhenConfigurationSeedsAgain()
    {
        var tenant = ClusterFixture.NewTenant();
        var admin = cluster.Grains.GetGrain<ITenantAdministrationGrain>(tenant);
        var key = Secrets.Digest("configured-write-key-0123456789");
        var seed = new SeedCredential(CredentialKind.WriteKey, "cfg-web", "web", [Scopes.Ingest], key, null);
        await admin.SeedAsync(seed);
        await admin.RevokeSourceAsync(Admin, "cfg-web");

        await admin.SeedAsync(seed);

        (await CredentialAsync(key)).Revoked.ShouldBeTrue();
        (await admin.GetAsync()).Sources.Single().Revoked.ShouldBeTrue();
    }

    [Fact]
    public async Task TokensKeepTheirScopesAndExpiryAndEveryChangeIsAudited()
    {
        var tenant = ClusterFixture.NewTenant();
        var admin = cluster.Grains.GetGrain<ITenantAdministrationGrain>(tenant);
        var secret = Secrets.Digest(Secrets.New(CredentialKind.ApiToken));
        var expires = ClusterFixture.Clock.GetUtcNow().AddDays(30);
        await admin.CreateTokenAsync(Admin, "tok-1", "BI export", [Scopes.Read], expires, secret);
        await admin.SaveStoreAsync(Admin, new StoreSettings("HCM09", "O2O Quận 9", "1 Lê Văn Việt", "HCM", "09:00-21:00", "Asia/Ho_Chi_Minh", ["HCM09"]));
        await admin.RevokeTokenAsync(Admin, "tok-1");

        var credential = await CredentialAsync(secret);
        credential.Allows(Scopes.Read).ShouldBeTrue();
        credential.Allows(Scopes.Erase).ShouldBeFalse();
        credential.NotAfter.ShouldBe(expires);
        credential.IsValidAt(ClusterFixture.Clock.GetUtcNow()).ShouldBeFalse("revoked");
        (await admin.GetAuditAsync(10)).Select(a => (a.Action, a.Target, a.ActorId)).ShouldBe(
            [("token.revoked", "tok-1", "oid-admin"), ("store.created", "HCM09", "oid-admin"), ("token.created", "tok-1", "oid-admin")]);
    }

    [Fact]
    public async Task AnAdminSetTeamWinsOverTheProvidersAndSurvivesTheNextSignIn()
    {
        var admin = cluster.Grains.GetGrain<ITenantAdministrationGrain>(ClusterFixture.NewTenant());
        (await admin.UpdateConsultantAsync(Admin, "oid-lan", "HCM02", [], null)).ShouldBeNull("unknown until they sign in");
        await admin.ConsultantSignedInAsync("oid-lan", "Nguyễn Thị Lan");
        await admin.UpdateConsultantAsync(Admin, "oid-lan", "HCM02", ["ao-dai"], 3);

        var again = await admin.ConsultantSignedInAsync("oid-lan", "Nguyễn Thị Lan");

        again.Team.ShouldBe("HCM02");
        again.Skills.ShouldBe(["ao-dai"]);
        again.MaxOpenLeads.ShouldBe(3);
    }

    private async Task<Credential> CredentialAsync(SecretDigest digest) =>
        (await cluster.Grains.GetGrain<ICredentialGrain>(digest.Hash).GetAsync()).ShouldNotBeNull();
}
