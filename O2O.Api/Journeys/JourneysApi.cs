using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Dashboard;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Ingestion;
using O2O.Grains.Journeys;

namespace O2O.Api.Journeys;

/// <summary>Journeys as JSON, their funnels, and the tracked and unsubscribe links in their messages.</summary>
public static class JourneysApi
{
    public static IEndpointRouteBuilder MapJourneysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/journeys").WithTags("Journeys");
        api.MapGet("/", ListAsync).WithName("ListJourneys").WithSummary("Every journey with its funnel, revenue, cost and suppressed sends")
            .RequireAuthorization(MarketerSignIn.Policy);
        api.MapGet("/{id}", GetAsync).WithName("GetJourney").WithSummary("One journey's definition and funnel")
            .RequireAuthorization(MarketerSignIn.Policy);
        // Saving a journey makes the product message people: marketers, or tokens that may write (ingest), not read-only ones.
        api.MapPut("/{id}", PutAsync).WithName("SaveJourney").WithSummary("Create or replace a journey (JSON); active: true switches it on")
            .RequireAuthorization(O2OPolicies.Spend);
        // Opened from a message by whoever got it: the signed token is the credential (listed as public in EndpointPolicyTests).
        app.MapGet("/r/{token}", OpenLinkAsync).WithName("OpenTrackedLink").WithTags("Journeys").AllowAnonymous().ExcludeFromDescription();
        app.MapUnsubscribeLinks();
        return app;
    }

    /// <summary>
    /// The unsubscribe address every marketing message carries: opened from the text (GET), or posted
    /// by a mail provider's one-click button (RFC 8058: <c>List-Unsubscribe=One-Click</c>, form-encoded).
    /// </summary>
    public static IEndpointRouteBuilder MapUnsubscribeLinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/u/{token}", UnsubscribeAsync).WithName("Unsubscribe").WithTags("Journeys").AllowAnonymous().ExcludeFromDescription();
        // No antiforgery: the provider's POST carries no cookie or form token; the signed token is the credential.
        app.MapPost("/u/{token}", UnsubscribeAsync).WithName("UnsubscribeOneClick").WithTags("Journeys").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    /// <summary>Every journey's report, for the API and the dashboard.</summary>
    public static async Task<JourneyReport[]> ReportsAsync(IGrainFactory grains, string tenant)
    {
        var ids = await grains.GetGrain<IJourneyCatalogGrain>(tenant).ListAsync();
        var reports = await Task.WhenAll(ids.Select(id => grains.GetGrain<IJourneyGrain>(TenantKey.Compose(tenant, id)).GetReportAsync()));
        return [.. reports.OfType<JourneyReport>()];
    }

    /// <summary>Validates and stores a journey; the errors by field when it is not valid.</summary>
    public static async Task<(JourneyDefinition? Saved, Dictionary<string, string[]> Errors)> SaveAsync(IGrainFactory grains, string tenant, JourneyDefinition definition)
    {
        var errors = JourneyValidation.Validate(definition);
        for (var i = 0; i < definition.Steps?.Count; i++)
        {
            foreach (var (field, template) in new[] { ("subject", definition.Steps[i].Subject), ("body", definition.Steps[i].Body) })
            {
                try
                {
                    if (template is not null)
                    {
                        MessageComposer.CheckTemplate(template);
                    }
                }
                catch (ArgumentException ex)
                {
                    errors[$"steps[{i}].{field}"] = [ex.Message];
                }
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (await grains.GetGrain<IJourneyGrain>(TenantKey.Compose(tenant, definition.Id)).SaveAsync(definition), errors);
    }

    private static async Task<Ok<JourneyReport[]>> ListAsync(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await ReportsAsync(grains, http.User.Tenant()));

    private static async Task<Results<Ok<JourneyReport>, NotFound>> GetAsync(string id, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IJourneyGrain>(TenantKey.Compose(http.User.Tenant(), id)).GetReportAsync() is { } report
            ? TypedResults.Ok(report)
            : TypedResults.NotFound();

    private static async Task<Results<Ok<JourneyDefinition>, ValidationProblem>> PutAsync(string id, JourneyDefinition definition, HttpContext http, IGrainFactory grains)
    {
        if (definition.Id != id)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["Must match the id in the URL."] });
        }
        var (saved, errors) = await SaveAsync(grains, http.User.Tenant(), definition);
        return saved is null ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(saved);
    }

    private static async Task<Results<RedirectHttpResult, NotFound>> OpenLinkAsync(
        string token, IGrainFactory grains, IEventFeed feed, IOptions<JourneyOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!TrackedLinks.TryRead(token, options.Value.LinkKey, out var target)
            || await JourneyLinks.OpenAsync(grains, target, clock.GetUtcNow()) is not { } opened)
        {
            return TypedResults.NotFound();
        }
        if (opened.Event is { } click)
        {
            // The click is on the profile like any tracked event; a full feed must not stop the person's browser.
            await feed.PublishAsync([click], cancellationToken);
        }
        return TypedResults.Redirect(opened.Url);
    }

    private static async Task<Results<ContentHttpResult, NotFound>> UnsubscribeAsync(string token, IGrainFactory grains, IOptions<JourneyOptions> options)
    {
        if (!TrackedLinks.TryRead(token, options.Value.LinkKey, out var target) || await JourneyLinks.UnsubscribeAsync(grains, target) is not { } channel)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Content(
            $"<!doctype html><meta charset=\"utf-8\"><title>Đã hủy đăng ký</title><p>Bạn sẽ không nhận thêm tin qua {ChannelName(channel)} nữa.</p>",
            "text/html; charset=utf-8");
    }

    public static string ChannelName(MessageChannel channel) => channel switch
    {
        MessageChannel.Email => "email",
        MessageChannel.Sms => "SMS",
        MessageChannel.Zalo => "Zalo",
        MessageChannel.Viber => "Viber",
        MessageChannel.WebPush => "thông báo trình duyệt",
        _ => "kênh phù hợp nhất",
    };
}
