using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Api.Sources;
using O2O.Grains.Diagnostics;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;

namespace O2O.Api.Ingestion;

/// <summary>A batch item that was refused, and why.</summary>
public sealed record RejectedEvent(int Index, string? MessageId, string Field, string Reason);

/// <summary>The answer to an ingestion call.</summary>
public sealed record IngestResult(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

/// <summary>
/// Segment's HTTP tracking API as the libraries call it: <c>/v1/track</c>, <c>identify</c>,
/// <c>page</c>, <c>screen</c>, <c>alias</c>, <c>group</c>, <c>batch</c> and their short forms
/// (<c>/v1/t</c>, <c>/v1/i</c>, <c>/v1/p</c>, <c>/v1/s</c>, <c>/v1/a</c>, <c>/v1/g</c>, <c>/v1/b</c>),
/// the pixel API (<c>GET /v1/pixel/{call}?data=</c>), and the offline events (<c>/v1/checkins</c>,
/// <c>/v1/orders</c>). The write key comes as the Basic-auth user name or as <c>writeKey</c> in the
/// body; bodies are read by <see cref="TrackingBody"/> (any content type, gzip/deflate/br).
/// Each source has its CORS origins and rate limit. 200 means the feed holds the events.
/// </summary>
public static class IngestionApi
{
    public const int MaxEventBytes = 32 * 1024;
    public const int MaxBatchBytes = 500 * 1024;

    /// <summary>A transparent 1x1 GIF, the pixel API's answer.</summary>
    private static readonly byte[] Pixel =
    [
        (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0, 1, 0, 0x80, 0, 0,
        0, 0, 0, 0xFF, 0xFF, 0xFF,
        0x21, 0xF9, 4, 1, 0, 0, 0, 0,
        0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0,
        2, 2, 0x44, 1, 0,
        0x3B,
    ];

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Ingestion")
            .RequireAuthorization(O2OClaims.IngestPolicy)
            .RequireCors(SourceCors.PolicyName)
            .RequireRateLimiting(SourceRateLimits.PolicyName)
            .AddEndpointFilter(SourceCors.RefuseOtherOriginsAsync);
        foreach (var (name, type) in EventParser.SegmentTypes)
        {
            var title = char.ToUpperInvariant(name[0]) + name[1..];
            Delegate handler = (HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct) =>
                SingleAsync(http, feed, ct, json => parser.ParseSegment(json, type, http.User.Tenant()));
            v1.MapPost($"/{name}", handler).WithName($"Segment{title}").WithSummary($"Segment {name} call")
                .WithMetadata(new TrackingBodyLimit(MaxEventBytes));
            v1.MapPost($"/{name[0]}", handler).WithName($"Segment{title}Short").WithSummary($"Segment {name} call (analytics.js' short path)")
                .WithMetadata(new TrackingBodyLimit(MaxEventBytes));
        }
        v1.MapPost("/batch", BatchAsync).WithName("SegmentBatch").WithSummary("Up to 500 KB of Segment calls; bad items are reported, good ones kept")
            .WithMetadata(new TrackingBodyLimit(MaxBatchBytes));
        v1.MapPost("/b", BatchAsync).WithName("SegmentBatchShort").WithSummary("Segment batch (analytics.js' short path)")
            .WithMetadata(new TrackingBodyLimit(MaxBatchBytes));
        v1.MapGet("/pixel/{call}", PixelAsync).WithName("SegmentPixel")
            .WithSummary("Pixel API: a Segment call as base64 JSON in 'data' (with its writeKey), answered with a 1x1 GIF; for ad impressions, VAST impression URLs and email opens")
            .WithMetadata(new TrackingBodyLimit(MaxEventBytes));
        v1.MapPost("/checkins", (HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct) =>
                SingleAsync(http, feed, ct, json => parser.ParseCheckIn(json, http.User.Tenant())))
            .WithName("StoreCheckIn").WithSummary("A person recognised in a store (QR, Wi-Fi, POS, consultation, product QR)")
            .WithMetadata(new TrackingBodyLimit(MaxEventBytes));
        v1.MapPost("/orders", (HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct) =>
                SingleAsync(http, feed, ct, json => parser.ParseOrder(json, http.User.Tenant())))
            .WithName("Order").WithSummary("A POS, web or marketplace order, identified or anonymous")
            .WithMetadata(new TrackingBodyLimit(MaxEventBytes));
        app.MapTrackingSettingsApi();
        return app;
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult, ValidationProblem>> SingleAsync(
        HttpContext http, IEventFeed feed, CancellationToken ct, Func<JsonElement, (CustomerEvent? Event, FieldError? Error)> parse)
    {
        var body = await TrackingBody.ReadAsync(http, ct);
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

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> PixelAsync(
        string call, HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct)
    {
        if (!EventParser.SegmentTypes.TryGetValue(call, out var type))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown call",
                detail: "The pixel API takes track, identify, page, screen, alias or group.");
        }
        var result = await SingleAsync(http, feed, ct, json => parser.ParseSegment(json, type, http.User.Tenant()));
        switch (result.Result)
        {
            case ProblemHttpResult problem:
                return problem;
            case ValidationProblem invalid:
                return invalid;
        }
        // Every impression and open must reach us, so no cache may answer for us.
        http.Response.Headers.CacheControl = "no-store, max-age=0";
        return TypedResults.File(Pixel, "image/gif");
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult, ValidationProblem>> BatchAsync(
        HttpContext http, EventParser parser, IEventFeed feed, CancellationToken ct)
    {
        var body = await TrackingBody.ReadAsync(http, ct);
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
        var traceParent = Activity.Current?.Id;
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
                var (e, error) = parser.ParseSegment(item, null, tenant, traceParent);
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
                    if (!string.Equals(events[i].TraceParent, traceParent, StringComparison.Ordinal))
                    {
                        events[i] = events[i] with { TraceParent = traceParent };
                    }
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
}
