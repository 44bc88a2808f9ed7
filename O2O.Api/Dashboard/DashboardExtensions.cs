using Microsoft.AspNetCore.Authorization;
using MudBlazor.Services;
using O2O.Api.Security;
using O2O.Grains.Reports;

namespace O2O.Api.Dashboard;

public static class DashboardExtensions
{
    /// <summary>Reports, marketer sign-in and the dashboard pages.</summary>
    public static TBuilder AddMarketingDashboard<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<MarketingReports>();
        builder.AddMarketerSignIn();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddMudServices();
        return builder;
    }

    public static WebApplication MapMarketingDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapMarketerSignIn();
        app.MapDashboardExport();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().Add(Guard);
        return app;
    }

    /// <summary>
    /// Pages name their policy in an attribute; the framework's own endpoints get one here: the
    /// interactive circuit is the dashboard's (marketers only), its script files are public.
    /// </summary>
    private static void Guard(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.Any(m => m is IAuthorizeData or IAllowAnonymous))
        {
            return;
        }
        var route = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "";
        endpoint.Metadata.Add(route.TrimStart('/').StartsWith("_blazor", StringComparison.Ordinal)
            ? new AuthorizeAttribute(O2OPolicies.Dashboard)
            : new AllowAnonymousAttribute());
    }
}
