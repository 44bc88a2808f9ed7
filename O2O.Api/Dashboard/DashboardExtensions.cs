using MudBlazor.Services;
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
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
