using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Extensions;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Http;

/// <summary>
/// A request to the API waits on the cluster for one deadline in all (<c>O2O:Api:RequestDeadline</c>),
/// then answers 503 with Retry-After; before, each of its grain calls could wait Orleans' 30 s. The Api
/// is the cluster's client, as deployed, and the silo a real O2O.Silo process frozen with SIGSTOP: it
/// holds its sockets and answers nothing, as a hung host does.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RequestDeadlineTests(AzuriteFixture azurite, RedisFixture redis, ApiFactory api)
{
    [Fact]
    public void OnlyTheOrderImportAndTheRetentionSweepRunPastTheDeadline()
    {
        var exempt = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<NoRequestDeadline>() is not null)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);

        exempt.ShouldBe(["ImportOrders", "SweepRetention"], ignoreOrder: true);
    }

    [Fact]
    public async Task ARequestTheFrozenSiloCannotAnswerIsA503AtTheDeadlineAndTheThawedSiloServesTheNext()
    {
        var clusterId = "deadline-" + Guid.NewGuid().ToString("N")[..8];
        using var silo = await SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString);
        // The real Api as a client of the cluster (no silo of its own), with a 2 s deadline.
        await using var clusterApi = new OneTenantApi("tenant-deadline", new Dictionary<string, string>(SiloProcess.ClientSettings(clusterId, redis.ConnectionString))
        {
            ["O2O:Privacy:PseudonymSecret"] = TestSecrets.PseudonymSecret,
            ["O2O:Api:RequestDeadline"] = "00:00:02",
        });
        using var writer = clusterApi.Writer();
        using var reader = clusterApi.Reader();
        var anon = $"slow-{Guid.NewGuid():N}";
        (await writer.PostAsync("/v1/track", new StringContent($$"""{"anonymousId":"{{anon}}","event":"Product Viewed"}""", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(reader, $"/api/profiles?anonymousId={anon}");

        silo.Freeze();
        HttpResponseMessage late;
        try
        {
            // Shorter than Orleans' 30 s response timeout: without the deadline this request would still be waiting.
            using var impatient = clusterApi.Reader();
            impatient.Timeout = TimeSpan.FromSeconds(20);
            late = await impatient.GetAsync($"/api/profiles?anonymousId={anon}", TestContext.Current.CancellationToken);
        }
        finally
        {
            silo.Thaw();
        }

        using (late)
        {
            late.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await late.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            late.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(ClusterUnavailableHandler.RetryAfterSeconds));
            late.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
        var served = await Eventually.GetJsonAsync(reader, $"/api/profiles?anonymousId={anon}");
        served.GetProperty("totals").GetProperty("productViews").GetInt32().ShouldBe(1);
    }
}
