using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using O2O.Api.EventHubs;
using O2O.Api.Ingestion;
using O2O.Grains.Ingestion;
using O2O.Silo.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.EventHubs;

[Trait("Category", "Slow")]
public sealed class EventHubsApiTests(KafkaMockCluster kafka)
{
    [Fact]
    public async Task EventsPostedToTheApiReachTheGrainsThroughTheEventHub()
    {
        // The real Api with its embedded silo, feeding and draining a hub on the mock cluster.
        var hub = KafkaMockCluster.NewHub("api");
        await using var api = new OneTenantApi("tenant-hub", new Dictionary<string, string>
        {
            ["ConnectionStrings:eventhubs"] = kafka.BootstrapServers,
            ["O2O:EventHubs:Hub"] = hub,
            ["O2O:EventHubs:DeadLetterHub"] = hub + "-dlq",
            ["O2O:EventHubs:ConsumerGroup"] = "api-" + hub,
        });
        using var writer = api.Writer();
        using var reader = api.Reader();

        api.Services.GetRequiredService<IEventFeed>().ShouldBeOfType<KafkaEventFeed>();
        api.Services.GetServices<IHostedService>().ShouldNotContain(s => s is EventPump);
        api.Services.GetServices<IHostedService>().ShouldContain(s => s is EventHubsConsumer);

        const int people = 12, views = 15;
        var run = Guid.NewGuid().ToString("N")[..8];
        var phones = Enumerable.Range(0, people).Select(p => $"090{Random.Shared.Next(1_000_000, 9_999_999)}").ToList();
        for (var v = 0; v < views; v++)
        {
            var batch = string.Join(',', Enumerable.Range(0, people).Select(p =>
                $$$"""{"type":"page","anonymousId":"e2e-{{{run}}}-{{{p}}}","messageId":"e2e-{{{run}}}-{{{p}}}-{{{v}}}","name":"P{{{v}}}","properties":{"path":"/p/{{{v}}}"}}"""));
            await OkAsync(writer.PostAsync("/v1/batch", Json($$"""{"batch":[{{batch}}]}""")));
        }
        for (var p = 0; p < people; p++)
        {
            await OkAsync(writer.PostAsync("/v1/identify", Json($$$"""{"anonymousId":"e2e-{{{run}}}-{{{p}}}","messageId":"id-{{{run}}}-{{{p}}}","traits":{"phone":"{{{phones[p]}}}"}}""")));
            await OkAsync(writer.PostAsync("/v1/checkins", Json($$"""{"storeId":"HCM01","method":"qr","phone":"{{phones[p]}}","messageId":"ci-{{run}}-{{p}}"}""")));
            await OkAsync(writer.PostAsync("/v1/orders", Json($$$"""{"orderId":"HD-{{{run}}}-{{{p}}}","source":"pos","storeId":"HCM01","total":350000,"customer":{"phone":"{{{phones[p]}}}"}}""")));
        }

        for (var p = 0; p < people; p++)
        {
            var profile = await Eventually.GetJsonAsync(reader, $"/api/profiles?phone={phones[p]}",
                json => json.GetProperty("totals").GetProperty("orders").GetInt32() == 1 && json.GetProperty("totals").GetProperty("pageViews").GetInt32() == views);
            var totals = profile.GetProperty("totals");
            totals.GetProperty("pageViews").GetInt32().ShouldBe(views);
            totals.GetProperty("storeVisits").GetInt32().ShouldBe(1);
            totals.GetProperty("orders").GetInt32().ShouldBe(1);
            totals.GetProperty("revenue").GetInt64().ShouldBe(350_000);
        }
    }

    private static async Task OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
