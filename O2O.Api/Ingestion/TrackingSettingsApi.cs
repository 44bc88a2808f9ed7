using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Sources;

namespace O2O.Api.Ingestion;

/// <summary>
/// The settings the browser libraries load at start: analytics.js' (<c>GET {cdn}/v1/projects/{writeKey}/settings</c>)
/// and RudderStack's source configuration (<c>GET {configUrl}/sourceConfig/?writeKey=</c>). A page that
/// points the library's CDN or config URL at O2O gets settings that send every call back to this Api,
/// so the unmodified library runs with no Segment or RudderStack account and nothing fetched from them.
/// </summary>
public static class TrackingSettingsApi
{
    /// <summary>The parts of Segment's settings document analytics.js reads to deliver events.</summary>
    public sealed record Settings(IReadOnlyDictionary<string, SegmentDestination> Integrations, Metrics Metrics, IReadOnlyList<object> RemotePlugins);

    /// <summary>The Segment.io destination: where the library posts calls (<c>{protocol}://{apiHost}/t</c>, ...).</summary>
    public sealed record SegmentDestination(string ApiKey, string ApiHost, string Protocol);

    /// <summary>Sample rate 0: the library sends no performance metrics of its own.</summary>
    public sealed record Metrics(double SampleRate);

    /// <summary>RudderStack's source configuration: no destinations (O2O is the data plane), the SDK's own telemetry off.</summary>
    public sealed record RudderSourceConfig(RudderSource Source);

    public sealed record RudderSource(string Id, string Name, string WriteKey, bool Enabled, string WorkspaceId, RudderSourceSettings Config, IReadOnlyList<object> Destinations);

    public sealed record RudderSourceSettings(RudderStatsCollection StatsCollection);

    public sealed record RudderStatsCollection(RudderSwitch Errors, RudderSwitch Metrics);

    public sealed record RudderSwitch(bool Enabled);

    public static IEndpointRouteBuilder MapTrackingSettingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sourceConfig", GetRudderAsync).WithTags("Ingestion").WithName("RudderStackSourceConfig")
            .WithSummary("RudderStack source configuration for a write key (?writeKey=): no destinations, O2O is the data plane")
            .AllowAnonymous()
            .RequireCors(SourceCors.PolicyName);
        app.MapGet("/v1/projects/{writeKey}/settings", GetAsync).WithTags("Ingestion").WithName("TrackingSettings")
            .WithSummary("analytics.js settings for a write key: deliver to this Api")
            .AllowAnonymous()
            .RequireCors(SourceCors.PolicyName);
        return app;
    }

    private static async Task<Results<Ok<RudderSourceConfig>, ProblemHttpResult>> GetRudderAsync(string? writeKey, HttpContext http, ISourceDirectory sources, CancellationToken ct)
    {
        var (source, problem) = await FindAsync(writeKey, http, sources, ct);
        if (problem is not null)
        {
            return problem;
        }
        http.Response.Headers.CacheControl = "public, max-age=300";
        var off = new RudderSwitch(false);
        return TypedResults.Ok(new RudderSourceConfig(new RudderSource(source!.Id, source.Name, writeKey!, true, source.Tenant,
            new RudderSourceSettings(new RudderStatsCollection(off, off)), [])));
    }

    private static async Task<Results<Ok<Settings>, ProblemHttpResult>> GetAsync(string writeKey, HttpContext http, ISourceDirectory sources, CancellationToken ct)
    {
        var (_, problem) = await FindAsync(writeKey, http, sources, ct);
        if (problem is not null)
        {
            return problem;
        }
        http.Response.Headers.CacheControl = "public, max-age=300";
        var apiHost = $"{http.Request.Host}{http.Request.PathBase}/v1";
        return TypedResults.Ok(new Settings(
            new Dictionary<string, SegmentDestination> { ["Segment.io"] = new(writeKey, apiHost, http.Request.Scheme) },
            new Metrics(0),
            []));
    }

    /// <summary>The key's source, or the problem: unknown key, or a page on an origin the source does not allow.</summary>
    private static async Task<(Source? Source, ProblemHttpResult? Problem)> FindAsync(string? writeKey, HttpContext http, ISourceDirectory sources, CancellationToken ct)
    {
        var source = string.IsNullOrEmpty(writeKey) ? null : await sources.FindByWriteKeyAsync(writeKey, ct);
        if (source is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown write key",
                detail: "No source has this write key."));
        }
        if (http.Request.Headers.Origin.ToString() is { Length: > 0 } origin && !source.AllowsOrigin(origin))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                detail: $"This source does not accept calls from pages on {origin}. Add the origin to the source's allowed origins."));
        }
        return (source, null);
    }
}
