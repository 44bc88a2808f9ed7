using Microsoft.AspNetCore.Cors.Infrastructure;
using O2O.Api.Sources;

namespace O2O.Api.Extensions;

public static class SourcesExtensions
{
    /// <summary>
    /// What a source decides besides its tenant: CORS for the browser origins it allows, its rate
    /// limit, and error bodies the tracking libraries understand. The source directory itself is
    /// registered with the write-key authentication (<see cref="SecurityExtensions.AddO2OSecurity{TBuilder}"/>).
    /// </summary>
    public static TBuilder AddTrackingSources<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddCors();
        builder.Services.AddSingleton<ICorsPolicyProvider, SourceCorsPolicyProvider>();
        builder.Services.AddSourceRateLimits();
        builder.Services.AddTrackingErrorCodes();
        return builder;
    }
}
