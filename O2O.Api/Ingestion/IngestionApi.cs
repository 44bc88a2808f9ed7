using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Api.Ingestion;

/// <summary>A batch item that was refused, and why.</summary>
public sealed record RejectedEvent(int Index, string? MessageId, string Field, string Reason);

/// <summary>The answer to an ingestion call.</summary>
public sealed record IngestResult(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

/// <summary>
/// Segment-compatible ingestion (<c>/v1/track</c>, <c>identify</c>, <c>page</c>, <c>screen</c>,
/// <c>alias</c>, <c>batch</c>) and the offline events (<c>/v1/checkins</c>, <c>/v1/orders</c>).
/// Write key as the Basic-auth user name. 200 means the feed holds the events.
/// </summary>
public static class IngestionApi
{
    public const int MaxEventBytes = 32 * 1024;
    public const int MaxBatchBytes = 500 * 1024;

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Ingestion");
        foreach (var (name, type) in EventParser.SegmentTypes)
        {
            v1.MapPost($"/{name}", (HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct) =>
                    SingleAsync(http, feed, ct, json => parser.ParseSegment(json, type, http.User.Tenant())))
                .WithName($"Segment{char.ToUpperInvariant(name[0])}{name[1..]}")
                .WithSummary($"Segment {name} call")
                .Accepts<JsonElement>("application/json");
        }
        v1.MapPost("/batch", BatchAsync).WithName("SegmentBatch").WithSummary("Up to 500 KB of Segment calls; bad items are reported, good ones kept")
            .Accepts<JsonElement>("application/json");
        v1.MapPost("/checkins", (HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct) =>
                SingleAsync(http, feed, ct, json => parser.ParseCheckIn(json, http.User.Tenant())))
            .WithName("StoreCheckIn").WithSummary("A person recognised in a store (QR, Wi-Fi, POS, consultation, product QR)")
            .Accepts<JsonElement>("application/json");
        v1.MapPost("/orders", (HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct) =>
                SingleAsync(http, feed, ct, json => parser.ParseOrder(json, http.User.Tenant())))
            .WithName("Order").WithSummary("A POS, web or marketplace order, identified or anonymous")
            .Accepts<JsonElement>("application/json");
        return app;
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult, ValidationProblem>> SingleAsync(
        HttpContext http, IEventFeed feed, CancellationToken ct, Func<JsonElement, (CustomerEvent? Event, FieldError? Error)> parse)
    {
        using var body = await ReadJsonAsync(http.Request, MaxEventBytes, ct);
        if (body.Problem is { } problem)
        {
            return problem;
        }
        var (e, error) = parse(body.Document!.RootElement);
        if (error is not null)
        {
            O2OTelemetry.EventsRejected.Add(1);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [error.Field] = [error.Message] },
                title: "The event is not valid");
        }
        return await PublishAsync(http, feed, [e!], [], ct);
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult, ValidationProblem>> BatchAsync(
        HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct)
    {
        using var body = await ReadJsonAsync(http.Request, MaxBatchBytes, ct);
        if (body.Problem is { } problem)
        {
            return problem;
        }
        if (EventParser.BatchOf(body.Document!.RootElement) is not { } items)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["batch"] = ["is required and must be an array of Segment calls"] },
                title: "The batch is not valid");
        }
        var tenant = http.User.Tenant();
        var accepted = new List<CustomerEvent>(items.GetArrayLength());
        var rejected = new List<RejectedEvent>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (JsonMarshal.GetRawUtf8Value(item).Length > MaxEventBytes)
            {
                rejected.Add(new RejectedEvent(index, EventParser.MessageIdOf(item), "batch", $"the event is larger than {MaxEventBytes / 1024} KB"));
            }
            else
            {
                var (e, error) = parser.ParseSegment(item, null, tenant);
                if (error is null)
                {
                    accepted.Add(e!);
                }
                else
                {
                    rejected.Add(new RejectedEvent(index, EventParser.MessageIdOf(item), error.Field, error.Message));
                }
            }
            index++;
        }
        if (rejected.Count > 0)
        {
            O2OTelemetry.EventsRejected.Add(rejected.Count);
        }
        return await PublishAsync(http, feed, accepted, rejected, ct);
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult, ValidationProblem>> PublishAsync(
        HttpContext http, IEventFeed feed, List<CustomerEvent> events, List<RejectedEvent> rejected, CancellationToken ct)
    {
        if (events.Count > 0)
        {
            if (Activity.Current?.Id is { } traceParent)
            {
                // Each event carries the request's trace, so its application in the grains joins it.
                for (var i = 0; i < events.Count; i++)
                {
                    events[i] = events[i] with { TraceParent = traceParent };
                }
            }
            var admission = await feed.PublishAsync(events, ct);
            if (!admission.Accepted)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(admission.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Ingestion is busy",
                    detail: "The event feed is full. Nothing in this request was accepted; retry after the Retry-After delay.");
            }
            O2OTelemetry.EventsIngested.Add(events.Count, new KeyValuePair<string, object?>("source", http.User.FindFirst(O2OClaims.Source)?.Value));
        }
        return TypedResults.Ok(new IngestResult(events.Count, rejected));
    }

    private static async Task<JsonBody> ReadJsonAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return JsonBody.TooLarge(limit);
        }
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            foreach (var segment in read.Buffer)
            {
                if (buffer.WrittenCount + segment.Length > limit)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    return JsonBody.TooLarge(limit);
                }
                buffer.Write(segment.Span);
            }
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        try
        {
            return new JsonBody(JsonDocument.Parse(buffer.WrittenMemory), null);
        }
        catch (JsonException ex)
        {
            return new JsonBody(null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON",
                detail: $"JSON error at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}."));
        }
    }

    private sealed record JsonBody(JsonDocument? Document, ProblemHttpResult? Problem) : IDisposable
    {
        public static JsonBody TooLarge(int limit) => new(null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Payload too large", detail: $"At most {limit / 1024} KB per request to this endpoint."));

        public void Dispose() => Document?.Dispose();
    }
}
