using Microsoft.AspNetCore.Mvc;

namespace O2O.Api.Sources;

/// <summary>
/// Adds <c>code</c> and <c>message</c> next to every problem detail, as the Segment and RudderStack
/// libraries read them: with them a 4xx is a permanent error the library drops, while 429 and 5xx
/// stay retryable. Without them some libraries (Segment's Python one) mistake a 401 for a network failure.
/// </summary>
public static class TrackingErrors
{
    public static IServiceCollection AddTrackingErrorCodes(this IServiceCollection services) =>
        services.PostConfigure<ProblemDetailsOptions>(o =>
        {
            var earlier = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                earlier?.Invoke(context);
                var problem = context.ProblemDetails;
                problem.Extensions.TryAdd("code", CodeOf(problem.Status ?? context.HttpContext.Response.StatusCode));
                problem.Extensions.TryAdd("message", MessageOf(problem));
            };
        });

    public static string CodeOf(int status) => status switch
    {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "server_error",
        _ => "error",
    };

    private static string MessageOf(ProblemDetails problem)
    {
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            var (field, messages) = validation.Errors.First();
            return $"{problem.Title}: {field} {string.Join("; ", messages)}";
        }
        return problem.Detail ?? problem.Title ?? "Error";
    }
}
