using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
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
public sealed class RequestDeadlineTests(AzuriteFixture azurite, RedisFixture redis)
{
    private const string Tenant = "tenant-deadline";
    private const string WriteKey = "test-write-key-deadline";
    private const string ReadToken = "test-read-token-deadline";

    [Fact]
    public async Task ARequestTheFrozenSiloCannotAnswerIsA503AtTheDeadlineAndTheThawedSiloServesTheNext()
    {
        var clusterId = "deadline-" + Guid.NewGuid().ToString("N")[..8];
        using var silo = await SiloProcess.StartAsync(clusterId, redis.ConnectionString, azurite.ConnectionString);
        await using var api = new ClientApi(clusterId, redis.ConnectionString);
        using var writer = api.Client(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":"))));
        using var reader = api.Client(new AuthenticationHeaderValue("Bearer", ReadToken));
        var anon = $"slow-{Guid.NewGuid():N}";
        (await writer.PostAsync("/v1/track", new StringContent($$"""{"anonymousId":"{{anon}}","event":"Product Viewed"}""", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(reader, $"/api/profiles?anonymousId={anon}");

        silo.Freeze();
        HttpResponseMessage late;
        try
        {
            // Shorter than Orleans' 30 s response timeout: without the deadline this request would still be waiting.
            using var impatient = api.Client(new AuthenticationHeaderValue("Bearer", ReadToken));
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

    /// <summary>The real Api as a client of the cluster (no silo of its own), with a 2 s deadline.</summary>
    private sealed class ClientApi(string clusterId, string redis) : WebApplicationFactory<Program>
    {
        public HttpClient Client(AuthenticationHeaderValue auth)
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = auth;
            return client;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Orleans:ClusterId", clusterId);
            builder.UseSetting("Orleans:ServiceId", "o2o");
            builder.UseSetting("Orleans:Clustering:ProviderType", "Redis");
            builder.UseSetting("Orleans:Clustering:ServiceKey", "redis");
            builder.UseSetting("ConnectionStrings:redis", redis);
            builder.UseSetting("O2O:Api:RequestDeadline", "00:00:02");
            builder.UseSetting("O2O:Demo:Enabled", "false");
            builder.UseSetting("O2O:Privacy:PseudonymSecret", TestSecrets.PseudonymSecret);
            builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKey);
            builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", Tenant);
            builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadToken);
            builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", Tenant);
        }
    }
}
