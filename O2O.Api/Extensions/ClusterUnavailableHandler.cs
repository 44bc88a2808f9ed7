using Microsoft.AspNetCore.Diagnostics;

namespace O2O.Api.Extensions;

/// <summary>
/// A request the silos could not answer in time (a grain call timed out, its silo died, a gateway
/// turned it away) is a moment of unavailability, not a server fault: it answers 503 with
/// <c>Retry-After</c>, so tracking libraries, the consultant feed and scripts try again, rather than a 500
/// they give up on. This happens while a killed silo's grains move to the survivors.
/// </summary>
public sealed partial class ClusterUnavailableHandler(IProblemDetailsService problems, ILogger<ClusterUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait: about the time a cluster takes to notice a dead silo.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (TimeoutException or OrleansMessageRejectionException or GatewayTooBusyException))
        {
            return false;
        }
        LogUnavailable(logger, context.Request.Method, context.GetEndpoint()?.DisplayName, exception.GetType().Name);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = $"The cluster did not answer in time. Try again in {RetryAfterSeconds} seconds.",
            },
        });
    }

    // The endpoint's name, never the path: paths carry profile ids and phone numbers.
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Endpoint} answered 503: the cluster did not answer ({Exception})")]
    private static partial void LogUnavailable(ILogger logger, string method, string? endpoint, string exception);
}
