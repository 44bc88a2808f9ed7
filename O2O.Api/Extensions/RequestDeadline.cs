using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace O2O.Api.Extensions;

/// <summary>HTTP API settings (section <c>O2O:Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "O2O:Api";

    /// <summary>
    /// How long one request to <c>/api</c> or <c>/v1</c> may wait on the cluster, all its grain calls
    /// together. Shorter than Orleans' 30 s response timeout, which bounds one call only.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestDeadline { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// One deadline for a whole API request. Every grain call the request makes waits at most what is left
/// of it, then fails with a <see cref="TimeoutException"/>, which <see cref="ClusterUnavailableHandler"/>
/// answers as 503 with <c>Retry-After</c>. Without it, a read that makes three calls to a silo that died
/// waited for three of Orleans' 30 s timeouts. The handler unwinds on its own thread as for any failed
/// call, so nothing runs on after the answer but the abandoned grain calls, whose late replies are dropped.
/// Only <c>/api</c> and <c>/v1</c> get one (the lead hub's and the dashboard's connections last hours),
/// less endpoints marked <see cref="RequestDeadlineExtensions.WithoutRequestDeadline"/>, whose work is long by nature.
/// An Api that joins a cluster as its client has it; one with an embedded silo has no cluster apart from
/// itself to wait on, and a filter there would be on every call the silo's own grains make (measured: 0.6 KB
/// more allocated per ingested event).
/// </summary>
public sealed class RequestDeadline : IOutgoingGrainCallFilter
{
    private static readonly AsyncLocal<Holder?> Current = new();

    // Not async when there is no deadline: most calls (every one a silo's grains make) pass straight on.
    public Task Invoke(IOutgoingGrainCallContext context) =>
        Current.Value?.Until is { } until ? BoundedAsync(context, until) : context.Invoke();

    private static async Task BoundedAsync(IOutgoingGrainCallContext context, long until)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
        if (left <= TimeSpan.Zero)
        {
            throw Expired(context);
        }
        var call = context.Invoke();
        try
        {
            await call.WaitAsync(left);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            // The reply, or its failure, may still come: observe it, nobody else will.
            _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw Expired(context);
        }
    }

    private static TimeoutException Expired(IOutgoingGrainCallContext context) =>
        new($"The request's deadline passed before {context.InterfaceName}.{context.MethodName} answered.");

    /// <summary>Runs the rest of the pipeline under <paramref name="deadline"/> when the request is to the API.</summary>
    public static async Task BoundAsync(HttpContext http, RequestDelegate next, TimeSpan deadline)
    {
        if (!(http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/v1"))
            || http.GetEndpoint()?.Metadata.GetMetadata<NoRequestDeadline>() is not null)
        {
            await next(http);
            return;
        }
        var holder = new Holder { Until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency) };
        Current.Value = holder;
        try
        {
            await next(http);
        }
        finally
        {
            // Work the request started and left running (it captured this context) is not bound by it.
            holder.Until = null;
        }
    }

    private sealed class Holder
    {
        public long? Until { get; set; }
    }
}

/// <summary>Endpoint metadata: the request runs as long as its work takes (<see cref="RequestDeadlineExtensions.WithoutRequestDeadline"/>).</summary>
public sealed class NoRequestDeadline;

public static class RequestDeadlineExtensions
{
    /// <summary>The endpoint's requests are not bound by the deadline: a streamed upload, a sweep of every profile.</summary>
    public static TBuilder WithoutRequestDeadline<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NoRequestDeadline());

    /// <summary>Bounds each API request's grain calls by one deadline (<see cref="ApiOptions.RequestDeadline"/>), for a cluster's client.</summary>
    public static WebApplication UseRequestDeadline(this WebApplication app)
    {
        if (!app.Configuration.IsEmbedded())
        {
            var deadline = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.RequestDeadline;
            app.Use((http, next) => RequestDeadline.BoundAsync(http, next, deadline));
        }
        return app;
    }
}
