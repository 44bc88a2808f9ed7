using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Dashboard;
using O2O.Api.Security;
using O2O.Grains.Attribution;
using O2O.Grains.Reports;
using O2O.Grains.Spend;

namespace O2O.Api.Reports;

/// <summary>Funnel, attribution, spend vs results, store leaderboard and what-if, from the read models.</summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/reports").RequireAuthorization(MarketerSignIn.Policy).WithTags("Reports");
        api.MapGet("/overview", OverviewAsync).WithName("Overview").WithSummary("Visits, revenue and their online-influenced share; spend");
        api.MapGet("/funnel", FunnelAsync).WithName("Funnel").WithSummary("Funnel per campaign, store or channel");
        api.MapGet("/attribution", AttributionAsync).WithName("Attribution").WithSummary("Credited visits, purchases and revenue by model");
        api.MapGet("/spend", SpendAsync).WithName("SpendVsResults").WithSummary("Spend against credited results per channel and day");
        api.MapGet("/stores", StoresAsync).WithName("StoreLeaderboard").WithSummary("Stores ranked by visits");
        api.MapGet("/what-if", WhatIfAsync).WithName("WhatIf").WithSummary("Expected visits and revenue for a monthly spend on a channel");
        return app;
    }

    private static async Task<Results<Ok<OverviewReport>, ValidationProblem>> OverviewAsync(HttpContext http, MarketingReports reports, TimeProvider clock, string? from = null, string? to = null) =>
        ReportQuery.Period(from, to, clock) is { Period: { } period }
            ? TypedResults.Ok(await reports.OverviewAsync(http.User.Tenant(), period))
            : ReportQuery.Period(from, to, clock).Problem!;

    private static async Task<Results<Ok<FunnelTable>, ValidationProblem>> FunnelAsync(HttpContext http, MarketingReports reports, TimeProvider clock, string? by = null, string? from = null, string? to = null)
    {
        var (period, problem) = ReportQuery.Period(from, to, clock);
        if (problem is not null)
        {
            return problem;
        }
        if (!ReportQuery.TryEnum(by, FunnelScope.Campaign, out var scope))
        {
            return ReportQuery.Invalid("by", "Use campaign, store or channel.");
        }
        return TypedResults.Ok(await reports.FunnelAsync(http.User.Tenant(), period!.Value, scope));
    }

    private static async Task<Results<Ok<AttributionTable>, ValidationProblem>> AttributionAsync(HttpContext http, MarketingReports reports, TimeProvider clock, string? model = null, string? by = null, string? from = null, string? to = null)
    {
        var (period, problem) = ReportQuery.Period(from, to, clock);
        if (problem is not null)
        {
            return problem;
        }
        if (!ReportQuery.TryEnum(model, AttributionModel.LastTouch, out var m))
        {
            return ReportQuery.Invalid("model", "Use LastTouch, FirstTouch, Linear, TimeDecay or PositionBased.");
        }
        if (!ReportQuery.TryEnum(by, TouchDimension.Campaign, out var dimension))
        {
            return ReportQuery.Invalid("by", "Use channel, campaign, content or audience.");
        }
        return TypedResults.Ok(await reports.AttributionAsync(http.User.Tenant(), period!.Value, m, dimension));
    }

    private static async Task<Results<Ok<SpendVsResults>, ValidationProblem>> SpendAsync(HttpContext http, MarketingReports reports, TimeProvider clock, string? model = null, string? from = null, string? to = null)
    {
        var (period, problem) = ReportQuery.Period(from, to, clock);
        if (problem is not null)
        {
            return problem;
        }
        if (!ReportQuery.TryEnum(model, AttributionModel.LastTouch, out var m))
        {
            return ReportQuery.Invalid("model", "Use LastTouch, FirstTouch, Linear, TimeDecay or PositionBased.");
        }
        return TypedResults.Ok(await reports.SpendVsResultsAsync(http.User.Tenant(), period!.Value, m));
    }

    private static async Task<Results<Ok<StoreLeaderboard>, ValidationProblem>> StoresAsync(HttpContext http, MarketingReports reports, TimeProvider clock, string? from = null, string? to = null)
    {
        var (period, problem) = ReportQuery.Period(from, to, clock);
        return problem ?? (Results<Ok<StoreLeaderboard>, ValidationProblem>)TypedResults.Ok(await reports.StoresAsync(http.User.Tenant(), period!.Value));
    }

    private static async Task<Results<Ok<WhatIfAnswer>, ValidationProblem>> WhatIfAsync(
        HttpContext http, MarketingReports reports, TimeProvider clock, string? channel = null, long? monthlySpend = null, string? model = null, int historyDays = 60)
    {
        if (string.IsNullOrWhiteSpace(channel))
        {
            return ReportQuery.Invalid("channel", "Name the channel (facebook, google, ...).");
        }
        if (monthlySpend is not (>= 0 and <= SpendValidation.MaximumAmount))
        {
            return ReportQuery.Invalid("monthlySpend", "Give the monthly spend in whole VND, e.g. 500000000.");
        }
        if (!ReportQuery.TryEnum(model, AttributionModel.LastTouch, out var m))
        {
            return ReportQuery.Invalid("model", "Use LastTouch, FirstTouch, Linear, TimeDecay or PositionBased.");
        }
        if (historyDays is < 7 or > ReportPeriod.MaximumDays)
        {
            return ReportQuery.Invalid("historyDays", $"Use between 7 and {ReportPeriod.MaximumDays} days of history.");
        }
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        var history = new ReportPeriod(today.AddDays(-historyDays + 1), today);
        return TypedResults.Ok(await reports.WhatIfAsync(http.User.Tenant(), channel.Trim().ToLowerInvariant(), monthlySpend.Value, m, history));
    }
}

/// <summary>Query parsing shared by the report endpoints: a period (default: the last 30 days) and enum names.</summary>
public static class ReportQuery
{
    public static (ReportPeriod? Period, ValidationProblem? Problem) Period(string? from, string? to, TimeProvider clock)
    {
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        DateOnly end = today, start;
        if (to is not null && !DateOnly.TryParseExact(to, "yyyy-MM-dd", out end))
        {
            return (null, Invalid("to", "Use a date in the form yyyy-MM-dd."));
        }
        if (from is null)
        {
            start = end.AddDays(-29);
        }
        else if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", out start))
        {
            return (null, Invalid("from", "Use a date in the form yyyy-MM-dd."));
        }
        if (start > end)
        {
            return (null, Invalid("from", "The period must start on or before its end."));
        }
        var period = new ReportPeriod(start, end);
        return period.Days > ReportPeriod.MaximumDays
            ? (null, Invalid("from", $"A report covers at most {ReportPeriod.MaximumDays} days."))
            : (period, null);
    }

    public static bool TryEnum<T>(string? text, T fallback, out T value) where T : struct, Enum
    {
        value = fallback;
        return text is null || (Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value));
    }

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
