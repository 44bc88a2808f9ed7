using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace O2O.Tests.Identity;

/// <summary>One routable endpoint of the Api: its method, route and the policy it names (null: open on purpose).</summary>
public sealed record ApiEndpoint(string Method, string Route, string? Policy, int PolicyCount, bool Anonymous, string DisplayName)
{
    public override string ToString() => $"{Method} {Route} [{(Anonymous ? "anonymous" : Policy ?? "NO POLICY")}] ({DisplayName})";

    /// <summary>Every endpoint the Api's routing knows, one per HTTP method.</summary>
    public static IReadOnlyList<ApiEndpoint> All(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().SelectMany(e =>
        {
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? m : ["GET"];
            var anonymous = e.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
            return methods.Select(method => new ApiEndpoint(method, "/" + e.RoutePattern.RawText!.TrimStart('/'),
                policies.LastOrDefault(), policies.Count, anonymous, e.DisplayName ?? ""));
        })];
}
