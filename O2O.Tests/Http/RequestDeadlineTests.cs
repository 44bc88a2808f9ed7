using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Extensions;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Http;

/// <summary>
/// A request to the API waits on the cluster for one deadline in all (<c>O2O:Api:RequestDeadline</c>),
/// then answers 503 with Retry-After; before, each of its grain calls could wait Orleans' 30 s. The
/// grain is really held inside its turn (the test silo's fault filter), as behind a slow or dying silo.
/// </summary>
public sealed class RequestDeadlineTests(RequestDeadlineTests.DeadlineApi api) : IClassFixture<RequestDeadlineTests.DeadlineApi>
{
    [Fact]
    public async Task ARequestWhoseGrainDoesNotAnswerIsA503AtTheDeadlineAndTheNextOneIsServed()
    {
        var anon = $"slow-{Guid.NewGuid():N}";
        using var writer = api.Client(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(DeadlineApi.WriteKey + ":"))));
        using var reader = api.Client(new AuthenticationHeaderValue("Bearer", DeadlineApi.ReadToken));
        // Shorter than Orleans' 30 s response timeout: without the deadline this request would still be waiting.
        reader.Timeout = TimeSpan.FromSeconds(20);
        (await writer.PostAsync("/v1/track", new StringContent($$"""{"anonymousId":"{{anon}}","event":"Product Viewed"}""", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.GetJsonAsync(reader, $"/api/profiles?anonymousId={anon}");

        var gate = GrainFaults.Hold(DeadlineApi.Tenant, "GetAsync");
        using var late = await reader.GetAsync($"/api/profiles?anonymousId={anon}", TestContext.Current.CancellationToken);

        gate.Entered.IsCompleted.ShouldBeTrue("the profile's grain was really held");
        late.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await late.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        late.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(ClusterUnavailableHandler.RetryAfterSeconds));
        late.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        gate.Open();
        using var served = await reader.GetAsync($"/api/profiles?anonymousId={anon}", TestContext.Current.CancellationToken);
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>The real Api with its embedded silo, a 1 s deadline and the test silos' fault filter.</summary>
    public sealed class DeadlineApi : WebApplicationFactory<Program>
    {
        public const string Tenant = "tenant-deadline";
        public const string WriteKey = "test-write-key-deadline";
        public const string ReadToken = "test-read-token-deadline";

        public HttpClient Client(AuthenticationHeaderValue auth)
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = auth;
            return client;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("O2O:Api:RequestDeadline", "00:00:01");
            builder.UseSetting("O2O:Demo:Enabled", "false");
            builder.UseSetting("O2O:Security:WriteKeys:0:Key", WriteKey);
            builder.UseSetting("O2O:Security:WriteKeys:0:Tenant", Tenant);
            builder.UseSetting("O2O:Security:ReadTokens:0:Token", ReadToken);
            builder.UseSetting("O2O:Security:ReadTokens:0:Tenant", Tenant);
            builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter, GrainFaultFilter>());
        }
    }
}
