using System.Text;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Telemetry;

/// <summary>
/// Telemetry leaves the process over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as the
/// Aspire dashboard or a collector would receive it.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task OneTraceFollowsAnEventFromTheRequestIntoTheGrainCall()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var api = TelemetryApi(otlp.Endpoint);
        var client = api.Writer();
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        var response = await client.PostAsync("/v1/track", new StringContent(
            """{"anonymousId":"otel-1","event":"Product Viewed","context":{"traits":{"phone":"0901234567","name":"Võ Thị Sáu"}}}""",
            Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();

        var (request, apply, grainCall) = await Poll.UntilAsync(() =>
        {
            var spans = otlp.Spans.Where(s => s.TraceId == traceId).ToList();
            var request = spans.FirstOrDefault(s => s.Name.Contains("/v1/track", StringComparison.Ordinal));
            var apply = spans.FirstOrDefault(s => s.Scope == "O2O" && s.Name == "o2o.apply profile");
            var grainCall = spans.FirstOrDefault(s => s.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
                && s.Name.Contains("ICustomerGrain", StringComparison.Ordinal) && s.ParentSpanId == apply?.SpanId);
            return request is not null && apply is not null && grainCall is not null ? (request, apply, grainCall) : default;
        }, () => $"spans received: {string.Join("; ", otlp.Spans.Select(s => $"{s.Scope}:{s.Name} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId}"))}");

        apply.ParentSpanId.ShouldBe(request.SpanId);
        grainCall.TraceId.ShouldBe(traceId);
        request.Service.ShouldBe("O2O.Api");
    }

    [Fact]
    public async Task O2OMetricsAndLogsArriveWithoutPersonalData()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var api = TelemetryApi(otlp.Endpoint);
        var client = api.Writer();
        (await client.PostAsync("/v1/identify", new StringContent(
            """{"anonymousId":"otel-2","traits":{"phone":"0912345678","email":"lan.tran@example.vn","name":"Trần Thị Lan"}}""",
            Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await client.PostAsync("/v1/track", new StringContent("""{"anonymousId":"otel-2"}""", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        // The privacy paths: a consent recorded and withdrawn, the person's data exported, then erased.
        (await client.PostAsync("/v1/consents", new StringContent(
            """{"phone":"0912345678","email":"lan.tran@example.vn","source":"pos_tablet","wordingVersion":"v1","purposes":{"marketing":{"sms":true},"ad_sharing":false}}""",
            Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var privacy = api.Reader();
        (await privacy.GetAsync("/api/privacy/subjects?phone=0912345678")).EnsureSuccessStatusCode();
        (await privacy.PostAsync("/api/privacy/erasures?email=lan.tran@example.vn", null)).EnsureSuccessStatusCode();

        await Poll.UntilAsync(() => new[] { "o2o.events.ingested", "o2o.events.applied", "o2o.events.rejected", "o2o.privacy.requests" }.All(otlp.MetricNames.ContainsKey) ? true : default,
            () => $"metrics received: {string.Join(", ", otlp.MetricNames.Keys.Order())}");
        await Poll.UntilAsync(() => otlp.LogBodies.Any(b => b.Contains("Data-subject request", StringComparison.Ordinal)) ? true : default,
            () => "the data-subject request log");

        otlp.MetricNames["o2o.events.applied"].ShouldBe("O2O.Api");
        await Poll.UntilAsync(() => otlp.Spans.Any(sp => sp.Name.Contains("/api/privacy/erasures", StringComparison.Ordinal)) ? true : default,
            () => "the erasure request's span");
        var spans = string.Join('\n', otlp.Spans.Select(sp => sp.Name + " " + string.Join(' ', sp.Attributes.Select(a => $"{a.Key}={a.Value}"))));
        spans.ShouldNotContain("912345678");
        spans.ShouldNotContain("lan.tran@example.vn");
        var logs = string.Join('\n', otlp.LogBodies);
        logs.ShouldNotContain("0912345678");
        logs.ShouldNotContain("+84912345678");
        logs.ShouldNotContain("lan.tran@example.vn");
        logs.ShouldNotContain("Trần Thị Lan");
    }

    /// <summary>The Api exporting to <paramref name="otlpEndpoint"/>; its read token may erase.</summary>
    private static OneTenantApi TelemetryApi(string otlpEndpoint) => new("telemetry", new Dictionary<string, string>
    {
        ["O2O:Security:ReadTokens:0:Scopes:0"] = "erase",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        ["Logging:LogLevel:Default"] = "Information",
    });
}

/// <summary>Polls until a condition yields a value; bounded so a broken pipeline fails rather than hangs.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<T?> probe, Func<string> describe, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value && !EqualityComparer<T>.Default.Equals(value, default!))
            {
                return value;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Condition not met within {seconds} s; {describe()}");
    }
}
