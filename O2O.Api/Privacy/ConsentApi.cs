using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Consent;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;

namespace O2O.Api.Privacy;

/// <summary>The answer to a recorded consent: how many decisions were recorded.</summary>
public sealed record ConsentRecorded(int Recorded);

/// <summary>A person's consent now, and every decision behind it.</summary>
public sealed record ConsentView(IReadOnlyList<ConsentRecord> Current, IReadOnlyList<ConsentRecord> History);

/// <summary>
/// Recording consent from the places people give it (web form, POS tablet, bill QR page, consultant,
/// import) and reading it back. A recorded decision is applied to the person's profile before the
/// answer, not queued on the event feed: a withdrawal holds from the moment it is acknowledged.
/// </summary>
public static class ConsentApi
{
    public static IEndpointRouteBuilder MapConsentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/consents", RecordAsync).RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Privacy")
            .WithName("RecordConsent").WithSummary("Record consent given or withdrawn; applied before the answer")
            .Accepts<JsonElement>("application/json");
        app.MapGet("/api/consents", GetAsync).RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Privacy")
            .WithName("GetConsent").WithSummary("A person's consent now and its history (source, time, wording version)");
        return app;
    }

    private static async Task<Results<Ok<ConsentRecorded>, ProblemHttpResult, ValidationProblem>> RecordAsync(
        JsonElement body, HttpContext http, EventApplier applier, TimeProvider clock)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Invalid("body", "must be a JSON object");
        }
        string? Text(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 and <= 200 } s ? s : null;
        var phone = Text("phone");
        var email = Text("email");
        var normalizedPhone = phone is null ? null : ContactPoints.NormalizePhone(phone);
        if (phone is not null && normalizedPhone is null)
        {
            return Invalid("phone", "is not a valid phone number");
        }
        var normalizedEmail = email is null ? null : ContactPoints.NormalizeEmail(email);
        if (email is not null && normalizedEmail is null)
        {
            return Invalid("email", "is not a valid email address");
        }
        var (userId, anonymousId) = (Text("userId"), Text("anonymousId"));
        if (normalizedPhone is null && normalizedEmail is null && userId is null && anonymousId is null)
        {
            return Invalid("phone", "name the person with phone, email, userId or anonymousId");
        }
        var now = clock.GetUtcNow();
        var at = now;
        if (Text("timestamp") is { } raw)
        {
            if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at) || at > now + TimeSpan.FromDays(1))
            {
                return Invalid("timestamp", "must be an ISO 8601 date and time, not in the future");
            }
        }
        var (changes, error) = ConsentJson.Parse(body, "body");
        if (error is not null)
        {
            return Invalid(error.Field.Replace("body.", "", StringComparison.Ordinal), error.Message);
        }
        var e = new CustomerEvent
        {
            MessageId = Text("messageId") ?? "consent-" + Guid.CreateVersion7(now).ToString("N"),
            Tenant = http.User.Tenant(),
            Type = EventType.Track,
            Name = ConsentJson.ConsentUpdated,
            Timestamp = at.ToUniversalTime(),
            Phone = normalizedPhone,
            Email = normalizedEmail,
            UserId = userId,
            AnonymousId = anonymousId,
            Consents = changes,
        };
        var (applied, duplicates) = await applier.ApplyAsync([e]);
        if (applied == 0 && duplicates == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Person erased",
                detail: "This person asked to be erased; their identifiers are suppressed and no consent is recorded for them.");
        }
        return TypedResults.Ok(new ConsentRecorded(applied == 0 ? 0 : changes!.Count));
    }

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult, ValidationProblem>> GetAsync(
        SubjectQuery subject, HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms)
    {
        var (id, pid, errors) = subject.Parse();
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var tenant = http.User.Tenant();
        var (profileId, _) = await SubjectQuery.ResolveAsync(tenant, id, pid, grains, pseudonyms);
        var export = profileId is null ? null : await grains.GetGrain<ICustomerGrain>(TenantKey.Compose(tenant, profileId)).ExportAsync();
        if (export is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No profile has that identifier.");
        }
        var ledger = new ConsentLedger { History = [.. export.Consents] };
        return TypedResults.Ok(new ConsentView(ledger.Current(), export.Consents));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
