using System.Net;
using System.Net.Http.Json;
using O2O.Grains.Leads;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Leads;

[Trait("Category", "Slow")]
public sealed class BackplaneTests(RedisFixture redis)
{
    [Fact]
    public async Task ConsultantsOnEitherApiNodeGetEachAlertOnce()
    {
        await using var nodes = await TwoApiNodes.StartAsync(redis);
        var store = LeadsApiFactory.NewStore("BP");
        await using var onFirst = await nodes.First.ConnectAsync(LeadsApiFactory.TenantA, new Consultant("lan", "Lan", store, ConsultantRole.Consultant));
        await using var onSecond = await nodes.Second.ConnectAsync(LeadsApiFactory.TenantA, new Consultant("minh", "Minh", store, ConsultantRole.Consultant));

        foreach (var (node, name) in new[] { (nodes.First, "Khách Một"), (nodes.Second, "Khách Hai") })
        {
            var response = await node.Writer().PostAsJsonAsync("/v1/checkins", new { storeId = store, method = "wifi", phone = LeadsApiFactory.NewPhone(), name });
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await onFirst.WaitForAsync("LeadOffered", l => l.Name == name);
            await onSecond.WaitForAsync("LeadOffered", l => l.Name == name);
        }

        // The second alert arrived after the first everywhere, so a duplicate of the first would be here by now.
        onFirst.Received.Count(r => r.Kind == "LeadOffered" && r.Lead.Name == "Khách Một").ShouldBe(1);
        onSecond.Received.Count(r => r.Kind == "LeadOffered" && r.Lead.Name == "Khách Một").ShouldBe(1);
    }
}
