using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace O2O.Tests.Infrastructure;

/// <summary>A span as received over OTLP.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string Name, string TraceId, string SpanId, string ParentSpanId, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A loopback OTLP/HTTP (protobuf) receiver standing in for the Aspire dashboard or a collector:
/// it accepts <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c> and decodes the few fields
/// tests check (span names, ids and parents; metric names; log bodies), walking the protobuf wire
/// format of the OTLP messages with Google.Protobuf's reader.
/// </summary>
public sealed class OtlpReceiver : LoopbackServer
{
    public ConcurrentBag<ReceivedSpan> Spans { get; } = [];
    public ConcurrentDictionary<string, string> MetricNames { get; } = new();
    public ConcurrentBag<string> LogBodies { get; } = [];

    private OtlpReceiver()
    {
    }

    public string Endpoint => BaseUrl;

    public static Task<OtlpReceiver> StartAsync() => StartAsync(new OtlpReceiver());

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v1/traces", async (HttpRequest r) => { ReadTraces(await BodyAsync(r)); return Results.Ok(); });
        app.MapPost("/v1/metrics", async (HttpRequest r) => { ReadMetrics(await BodyAsync(r)); return Results.Ok(); });
        app.MapPost("/v1/logs", async (HttpRequest r) => { ReadLogs(await BodyAsync(r)); return Results.Ok(); });
    }

    private static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // ExportTraceServiceRequest{1: ResourceSpans{1: Resource{1: KeyValue}, 2: ScopeSpans{1: Scope{1: name}, 2: Span}}}
    private void ReadTraces(byte[] body)
    {
        foreach (var resourceSpans in Fields(body, 1))
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = Fields(scopeSpans, 1).Select(s => Text(s, 1)).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans, 2))
                {
                    // Span{1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 9: attributes}
                    Spans.Add(new ReceivedSpan(service, scope, Text(span, 5) ?? "", Hex(span, 1), Hex(span, 2), Hex(span, 4), Attributes(span, 9)));
                }
            }
        }
    }

    // ExportMetricsServiceRequest{1: ResourceMetrics{2: ScopeMetrics{2: Metric{1: name}}}}
    private void ReadMetrics(byte[] body)
    {
        foreach (var resourceMetrics in Fields(body, 1))
        {
            var service = ServiceName(resourceMetrics);
            foreach (var metric in Fields(resourceMetrics, 2).SelectMany(scope => Fields(scope, 2)))
            {
                MetricNames[Text(metric, 1) ?? ""] = service;
            }
        }
    }

    // ExportLogsServiceRequest{1: ResourceLogs{2: ScopeLogs{2: LogRecord{5: body AnyValue{1: string}}}}}
    private void ReadLogs(byte[] body)
    {
        foreach (var record in Fields(body, 1).SelectMany(r => Fields(r, 2)).SelectMany(s => Fields(s, 2)))
        {
            foreach (var value in Fields(record, 5))
            {
                LogBodies.Add(Text(value, 1) ?? "");
            }
            foreach (var attributes in Attributes(record, 6).Values)
            {
                LogBodies.Add(attributes);
            }
        }
    }

    private static string ServiceName(byte[] resourceEnvelope) =>
        Fields(resourceEnvelope, 1).Select(resource => Attributes(resource, 1).GetValueOrDefault("service.name")).FirstOrDefault() ?? "";

    // KeyValue{1: key, 2: AnyValue{1: string_value, 3: int_value}}
    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var result = new Dictionary<string, string>();
        foreach (var kv in Fields(message, field))
        {
            var key = Text(kv, 1);
            var value = Fields(kv, 2).Select(v => Text(v, 1)).FirstOrDefault();
            if (key is not null)
            {
                result[key] = value ?? "";
            }
        }
        return result;
    }

    private static string? Text(byte[] message, int field) =>
        Fields(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault();

    private static string Hex(byte[] message, int field) =>
        Fields(message, field).Select(Convert.ToHexStringLower).FirstOrDefault() ?? "";

    /// <summary>Every length-delimited value of a field number in a protobuf message.</summary>
    private static List<byte[]> Fields(byte[] message, int fieldNumber)
    {
        var values = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == fieldNumber && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                values.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return values;
    }
}
