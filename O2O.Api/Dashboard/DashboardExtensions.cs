using O2O.Grains.Reports;

namespace O2O.Api.Dashboard;

public static class DashboardExtensions
{
    /// <summary>Reports, marketer sign-in and the dashboard pages.</summary>
    public static TBuilder AddMarketingDashboard<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<MarketingReports>();
        builder.AddMarketerSignIn();
        return builder;
    }

    public static WebApplication MapMarketingDashboard(this WebApplication app)
    {
        app.MapMarketerSignIn();
        return app;
    }
}
