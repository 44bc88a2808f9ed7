using System.Globalization;
using System.Threading.RateLimiting;
using O2O.Api.Security;

namespace O2O.Api.Sources;

/// <summary>
/// One token bucket per source (ASP.NET Core's partitioned rate limiter), so a noisy source is
/// answered 429 with <c>Retry-After</c> and never takes its neighbours' capacity. Requests do not
/// queue: a client that is over its limit hears it at once and backs off.
/// </summary>
public static class SourceRateLimits
{
    public const string PolicyName = "source";

    /// <summary>The bucket refills in tenths of the period, so a source at its limit is not stalled for a whole period.</summary>
    private const int RefillsPerPeriod = 10;

    public static IServiceCollection AddSourceRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PolicyName, Partition);
            o.OnRejected = async (rejected, _) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after
                    : http.Source() is { } source ? source.RateLimit.Period / RefillsPerPeriod : TimeSpan.FromSeconds(1);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ProblemResponses.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests",
                    "This source sent more requests than its rate limit allows. Nothing in this request was accepted; retry after the Retry-After delay.");
            };
        });

    /// <summary>Keyed by the source and its limit, so a changed limit takes effect with a fresh bucket.</summary>
    private static RateLimitPartition<(string SourceId, SourceRateLimit Limit)> Partition(HttpContext http) =>
        http.Source() is { } source
            ? RateLimitPartition.GetTokenBucketLimiter((SourceId: source.Id, Limit: source.RateLimit), key => new TokenBucketRateLimiterOptions
            {
                TokenLimit = key.Limit.Requests,
                TokensPerPeriod = Math.Max(1, key.Limit.Requests / RefillsPerPeriod),
                ReplenishmentPeriod = key.Limit.Period / RefillsPerPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            // Unreachable behind the ingest policy (it requires a source); no limiter rather than a shared one.
            : RateLimitPartition.GetNoLimiter((SourceId: "", Limit: SourceRateLimit.Default));
}
