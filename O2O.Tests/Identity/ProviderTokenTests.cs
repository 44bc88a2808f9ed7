using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using O2O.Api.Security;

namespace O2O.Tests.Identity;

/// <summary>Access tokens from the identity provider, sent by apps to the API and the hub.</summary>
[Collection(ProviderCollection.Name)]
public sealed class ProviderTokenTests(ProviderApi fixture)
{
    private Uri Api => fixture.Api.Address;

    [Fact]
    public async Task AProviderTokenSignsAConsultantInToTheApiAndTheHub()
    {
        var token = fixture.Provider.Mint(ProviderApi.Consultant, DateTimeOffset.UtcNow.AddMinutes(30));
        var caller = Caller.Bearer(Api, "consultant token", token);

        using var client = caller.NewClient();
        var me = await client.GetFromJsonAsync<JsonElement>("/me");
        me.GetProperty("id").GetString().ShouldBe(ProviderApi.Consultant.Subject);
        me.GetProperty("team").GetString().ShouldBe(ProviderApi.Store, "the group g-store-oidc01 maps to the team");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["consultant"]);

        await using var hub = caller.Hub(Api);
        var open = new TaskCompletionSource<JsonElement>();
        hub.On<JsonElement>("OpenLeads", leads => open.TrySetResult(leads));
        await hub.StartAsync();
        (await open.Task.WaitAsync(TimeSpan.FromSeconds(30))).ValueKind.ShouldBe(JsonValueKind.Array);
    }

    [Fact]
    public async Task TheTeamAndCapAnAdminSetsWinOverTheProvidersGroups()
    {
        var tuan = new ProviderUser("tuan", "-", "oid-tuan", "Phạm Anh Tuấn", ["g-consultants", "g-store-oidc01"]);
        using var client = Caller.Bearer(Api, "tuan", fixture.Provider.Mint(tuan, DateTimeOffset.UtcNow.AddMinutes(30))).NewClient();
        (await client.GetFromJsonAsync<JsonElement>("/me")).GetProperty("team").GetString().ShouldBe(ProviderApi.Store);

        var admin = await Caller.DemoAsync(Api, "admin", "demo-admin");
        using var adminClient = admin.NewClient();
        var set = await adminClient.PutAsJsonAsync("/api/admin/consultants/oid-tuan", new { team = "OIDC02", skills = new[] { "ao-dai" }, maxOpenLeads = 2 });
        set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        await Task.Delay(fixture.Api.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.CredentialCacheTime);

        (await client.GetFromJsonAsync<JsonElement>("/me")).GetProperty("team").GetString().ShouldBe("OIDC02");
        var listed = await adminClient.GetFromJsonAsync<JsonElement>("/api/admin");
        var consultant = listed.GetProperty("consultants").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "oid-tuan");
        consultant.GetProperty("name").GetString().ShouldBe("Phạm Anh Tuấn");
        consultant.GetProperty("maxOpenLeads").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedByTheApiAndTheHub()
    {
        var expired = fixture.Provider.Mint(ProviderApi.Consultant, DateTimeOffset.UtcNow.AddMinutes(-10));
        await ShouldBeRefusedAsync(Caller.Bearer(Api, "expired", expired));
    }

    [Fact]
    public async Task ATokenFromAnotherIssuerIsRefusedByTheApiAndTheHub()
    {
        var stranger = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "foreign-key" };
        var foreign = fixture.Provider.Mint(ProviderApi.Consultant, DateTimeOffset.UtcNow.AddMinutes(30), stranger, "https://login.example.invalid/other/v2.0");
        await ShouldBeRefusedAsync(Caller.Bearer(Api, "foreign issuer", foreign));
    }

    [Fact]
    public async Task ATokenSignedWithAnotherKeyUnderTheProvidersNameIsRefused()
    {
        var forged = fixture.Provider.Mint(ProviderApi.Consultant, DateTimeOffset.UtcNow.AddMinutes(30), new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-provider-key" });
        await ShouldBeRefusedAsync(Caller.Bearer(Api, "forged", forged));
    }

    [Fact]
    public async Task APersonWhoseGroupsMapToNoRoleGetsNothing()
    {
        var token = fixture.Provider.Mint(ProviderApi.Stranger, DateTimeOffset.UtcNow.AddMinutes(30));
        await ShouldBeRefusedAsync(Caller.Bearer(Api, "no role", token));
    }

    private async Task ShouldBeRefusedAsync(Caller caller)
    {
        using var client = caller.NewClient();
        (await client.GetAsync("/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync("/v1/reports/overview")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync($"/api/leads/top?storeId={ProviderApi.Store}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var hub = caller.Hub(Api);
        var refused = await Should.ThrowAsync<HttpRequestException>(() => hub.StartAsync());
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
