using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Sources;

namespace O2O.Api.Ingestion;

/// <summary>
/// The settings analytics.js loads at start (<c>GET {cdn}/v1/projects/{writeKey}/settings</c>). A page
/// that sets <c>analytics._cdn</c> to O2O's address gets settings that send every call back to this
/// Api, so the unmodified library runs with no Segment account and nothing fetched from Segment.
/// </summary>
public static class TrackingSettingsApi
{
    /// <summary>The parts of Segment's settings document analytics.js reads to deliver events.</summary>
    public sealed record Settings(IReadOnlyDictionary<string, SegmentDestination> Integrations, Metrics Metrics, IReadOnlyList<object> RemotePlugins);

    /// <summary>The Segment.io destination: where the library posts calls (<c>{protocol}://{apiHost}/t</c>, ...).</summary>
    public sealed record SegmentDestination(string ApiKey, string ApiHost, string Protocol);

    /// <summary>Sample rate 0: the library sends no performance metrics of its own.</summary>
    public sealed record Metrics(double SampleRate);

    public static IEndpointRouteBuilder MapTrackingSettingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/projects/{writeKey}/settings", GetAsync).WithTags("Ingestion").WithName("TrackingSettings")
            .WithSummary("analytics.js settings for a write key: deliver to this Api")
            .AllowAnonymous()
            .RequireCors(SourceCors.PolicyName);
        return app;
    }

    private static async Task<Results<Ok<Settings>, ProblemHttpResult>> GetAsync(string writeKey, HttpContext http, ISourceDirectory sources, CancellationToken ct)
    {
        var source = await sources.FindByWriteKeyAsync(writeKey, ct);
        if (source is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown write key",
                detail: "No source has this write key.");
        }
        if (http.Request.Headers.Origin.ToString() is { Length: > 0 } origin && !source.AllowsOrigin(origin))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                detail: $"This source does not accept calls from pages on {origin}. Add the origin to the source's allowed origins.");
        }
        http.Response.Headers.CacheControl = "public, max-age=300";
        var apiHost = $"{http.Request.Host}{http.Request.PathBase}/v1";
        return TypedResults.Ok(new Settings(
            new Dictionary<string, SegmentDestination> { ["Segment.io"] = new(writeKey, apiHost, http.Request.Scheme) },
            new Metrics(0),
            []));
    }
}
