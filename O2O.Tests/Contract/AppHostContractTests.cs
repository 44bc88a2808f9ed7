using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using O2O.Tests.Infrastructure;
using O2O.Tests.Telemetry;

namespace O2O.Tests.Contract;

/// <summary>
/// The services run on exactly the configuration the Aspire AppHost injects. The environment is
/// checked in (infra/apphost-environment.json); here O2O.Silo and O2O.Api start as real processes
/// with those variables and nothing else, against redis-server, Azurite's table service, the Kafka
/// mock cluster standing in for Event Hubs, and an OTLP receiver standing in for the dashboard.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AppHostContractTests(RedisFixture redis, AzuriteFixture azurite, KafkaMockCluster kafka)
{
    private const string WriteKey = "contract-write-key-0123456789";
    private const string ReadToken = "contract-read-token-0123456789";

    [Fact]
    public async Task AnEventFlowsThroughEventHubsToAGrainAndBackOutOnOneTrace()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        var contract = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Contract", "apphost-environment.json")));
        var shared = new Dictionary<string, string>
        {
            ["redis"] = redis.ConnectionString,
            ["tables"] = azurite.ConnectionString,
            ["eventhubs"] = kafka.BootstrapServers,
            ["otlp"] = otlp.Endpoint,
            ["writeKey"] = WriteKey,
            ["readToken"] = ReadToken,
        };

        using var silo = await StartAsync(contract, "silo", "O2O.Silo", shared);
        using var api = await StartAsync(contract, "api", "O2O.Api", shared);

        var phone = "0935" + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        using var writer = new HttpClient { BaseAddress = api.BaseAddress };
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
        using var track = new HttpRequestMessage(HttpMethod.Post, "/v1/track")
        {
            Content = new StringContent($$$"""
                {"anonymousId":"contract-{{{phone}}}","event":"Product Viewed","properties":{"product_id":"giay-sneaker-trang"},
                 "context":{"traits":{"phone":"{{{phone}}}","name":"Hoàng Văn Nam"},
                            "page":{"url":"https://shop.vn/san-pham/giay?utm_source=facebook&utm_campaign=contract"} } }
                """, Encoding.UTF8, "application/json"),
        };
        // The caller's own trace: the Api continues it rather than starting one of its own.
        var callerTrace = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        track.Headers.Add("traceparent", $"00-{callerTrace}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await writer.SendAsync(track)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await writer.PostAsync("/v1/checkins", new StringContent($$$"""{"storeId":"HCM01","method":"wifi","phone":"{{{phone}}}"}""", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        using var reader = new HttpClient { BaseAddress = api.BaseAddress };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken);
        var profile = await Eventually.GetJsonAsync(reader, $"/api/profiles?phone={phone}", p => p.GetProperty("totals").GetProperty("events").GetInt32() == 2);
        profile.GetProperty("stage").GetString().ShouldBe("StoreVisited");
        profile.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Hoàng Văn Nam");

        var (request, apply) = await Poll.UntilAsync(() =>
        {
            var request = otlp.Spans.FirstOrDefault(s => s.Service == "api" && s.Name.Contains("/v1/track", StringComparison.Ordinal));
            var apply = otlp.Spans.FirstOrDefault(s => s.Service == "silo" && s.Name == "o2o.apply profile" && s.TraceId == request?.TraceId);
            var grainCall = otlp.Spans.Any(s => s.Service == "silo" && s.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.ParentSpanId == apply?.SpanId);
            return request is not null && apply is not null && grainCall ? (request, apply) : default;
        }, () => $"spans: {string.Join("; ", otlp.Spans.Where(s => s.Name.Contains("/v1/track", StringComparison.Ordinal) || s.Name.StartsWith("o2o.", StringComparison.Ordinal)).Select(s => $"{s.Service}/{s.Scope}:{s.Name} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId}"))}");
        apply.ParentSpanId.ShouldBe(request.SpanId, "the silo's application continues the Api request's trace across the Event Hubs hop");
        request.TraceId.ShouldBe(callerTrace, "the Api continues the caller's W3C trace");

        await Poll.UntilAsync(() => new[] { "o2o.events.ingested", "o2o.events.applied", "o2o.consumer.lag" }.All(otlp.MetricNames.ContainsKey) ? true : default,
            () => $"metrics: {string.Join(", ", otlp.MetricNames.Select(m => $"{m.Key}@{m.Value}").Order())}");
        otlp.MetricNames["o2o.events.ingested"].ShouldBe("api");
        otlp.MetricNames["o2o.events.applied"].ShouldBe("silo");

        using var probe = new HttpClient { BaseAddress = silo.BaseAddress };
        var health = await probe.GetStringAsync("/health");
        health.ShouldBe("Healthy", await probe.GetStringAsync("/health/details"));
    }

    private static async Task<RunningService> StartAsync(JsonDocument contract, string service, string project, Dictionary<string, string> shared)
    {
        var values = new Dictionary<string, string>(shared)
        {
            ["httpPort"] = ServerProcess.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["siloPort"] = ServerProcess.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["gatewayPort"] = ServerProcess.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["instance"] = Guid.NewGuid().ToString("N"),
            ["pseudonymSecret"] = TestSecrets.PseudonymSecret,
        };
        var environment = contract.RootElement.GetProperty("services").GetProperty(service).EnumerateObject()
            .ToDictionary(v => v.Name, v => values.Aggregate(v.Value.GetString()!, (text, p) => text.Replace("{" + p.Key + "}", p.Value, StringComparison.Ordinal)));
        environment.Values.ShouldAllBe(v => !v.Contains('{'), "every placeholder in the contract has a local value");

        var dll = SiloProcess.ServiceDll(project);
        var process = ServerProcess.Start("dotnet", [dll], "the .NET SDK runs the services.", environment, Path.GetDirectoryName(dll));
        var running = new RunningService(process, new Uri($"http://127.0.0.1:{values["httpPort"]}"));
        using var http = new HttpClient { BaseAddress = running.BaseAddress };
        await process.WaitUntilAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, project, TimeSpan.FromSeconds(120));
        return running;
    }

    private sealed record RunningService(ServerProcess Process, Uri BaseAddress) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }
}
