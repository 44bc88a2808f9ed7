using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Grains.Administration;
using O2O.Tests.Infrastructure;
using O2O.Tests.Leads;

namespace O2O.Tests.Identity;

/// <summary>Write keys administered on one Api node take effect on every node, without a restart.</summary>
[Trait("Category", "Slow")]
public sealed class KeyRotationTests(RedisFixture redis)
{
    [Fact]
    public async Task RotatedKeysOverlapThenOnlyTheNewOneIngestsAndARevokedSourceIsRefusedOnEveryNode()
    {
        await using var nodes = await TwoApiNodes.StartAsync(redis);
        LeadsApiFactory[] both = [nodes.First, nodes.Second];
        var admin = await Caller.DemoAsync(nodes.First.Address, "admin", "demo-admin");
        using var adminClient = admin.NewClient();
        // The longest any node keeps trusting what it last heard about a key.
        var remembered = nodes.First.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.CredentialCacheTime;

        var created = await adminClient.PostAsJsonAsync("/api/admin/sources", new { name = "shop web", allowedOrigins = new[] { "https://shop.example.vn" }, rateLimit = 500 });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var source = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = source.GetProperty("source").GetProperty("id").GetString()!;
        var first = source.GetProperty("writeKey").GetString()!;
        (await adminClient.GetStringAsync("/api/admin")).ShouldNotContain(first, Case.Sensitive, "the key is shown once, then kept hashed");
        await ShouldIngestAsync(both, first);

        var second = await RotateAsync(adminClient, id, TimeSpan.FromHours(1));
        await ShouldIngestAsync(both, first);
        await ShouldIngestAsync(both, second);

        var overlap = TimeSpan.FromSeconds(2);
        var third = await RotateAsync(adminClient, id, overlap);
        await Task.Delay(overlap + remembered);
        await ShouldBeRefusedAsync(both, first);
        await ShouldBeRefusedAsync(both, second);
        await ShouldIngestAsync(both, third);

        (await adminClient.PostAsync($"/api/admin/sources/{id}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Task.Delay(remembered);
        await ShouldBeRefusedAsync(both, third);

        var audit = await adminClient.GetFromJsonAsync<JsonElement>("/api/admin/audit");
        audit.EnumerateArray().Where(e => e.GetProperty("target").GetString() == id).Select(e => e.GetProperty("action").GetString())
            .ShouldBe(["source.revoked", "source.key-rotated", "source.key-rotated", "source.created"]);
        audit[0].GetProperty("actorId").GetString().ShouldBe("demo-admin");
    }

    private static async Task<string> RotateAsync(HttpClient admin, string id, TimeSpan overlap)
    {
        var response = await admin.PostAsJsonAsync($"/api/admin/sources/{id}/rotate", new { overlap });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("writeKey").GetString()!;
    }

    private static async Task ShouldIngestAsync(LeadsApiFactory[] nodes, string key)
    {
        foreach (var node in nodes)
        {
            (await TrackAsync(node, key)).ShouldBe(HttpStatusCode.OK, $"key …{key[^4..]} on {node.Address}");
        }
    }

    private static async Task ShouldBeRefusedAsync(LeadsApiFactory[] nodes, string key)
    {
        foreach (var node in nodes)
        {
            var status = await TrackAsync(node, key);
            if (status != HttpStatusCode.Unauthorized)
            {
                // Say what each node's grains hold for the key, so a failure tells stale grain from stale cache.
                var views = new List<string>();
                foreach (var n in nodes)
                {
                    var grains = n.Services.GetRequiredService<IGrainFactory>();
                    var credential = await grains.GetGrain<ICredentialGrain>(Secrets.Hash(key)).GetAsync();
                    var source = credential is null ? null : await grains.GetGrain<ITenantAdministrationGrain>(credential.Tenant).GetSourceAsync(credential.OwnerId);
                    views.Add($"{n.Address}: credential {credential}, source revoked {source?.Revoked}");
                }
                status.ShouldBe(HttpStatusCode.Unauthorized, $"key …{key[^4..]} on {node.Address} at {DateTimeOffset.UtcNow:O}; {string.Join("; ", views)}");
            }
        }
    }

    private static async Task<HttpStatusCode> TrackAsync(LeadsApiFactory node, string key)
    {
        using var client = new HttpClient { BaseAddress = node.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        using var response = await client.PostAsJsonAsync("/v1/track", new { anonymousId = "rot-" + Guid.NewGuid().ToString("N")[..8], @event = "Page Viewed" });
        return response.StatusCode;
    }
}
