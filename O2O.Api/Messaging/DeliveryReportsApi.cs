using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Messaging;
using O2O.Silo.Messaging;

namespace O2O.Api.Messaging;

/// <summary>One message as recorded: channel, purpose, status (sent, delivered, failed), cost and click.</summary>
public sealed record MessageStatus(string MessageId, MessageRecord Record);

/// <summary>
/// Delivery reports from the providers, recorded per message and counted in the master-data KPIs
/// (delivered, failed), and each message's status for staff. The two callbacks are public routes
/// with their own credential: eSMS' signed callback address, Zalo's signed webhook events.
/// </summary>
public static partial class DeliveryReportsApi
{
    public static IEndpointRouteBuilder MapDeliveryReportsApi(this IEndpointRouteBuilder app)
    {
        var callbacks = app.MapGroup("/v1/messaging").AllowAnonymous().WithTags("Messaging");
        callbacks.MapGet("/esms/callback/{tenant}/{signature}", EsmsAsync).WithName("EsmsDeliveryCallback")
            .WithSummary("eSMS.vn's delivery callback (HTTP GET with SMSID, SendStatus, SendSuccess, SendFailed, RequestId); the signed address is the credential");
        callbacks.MapPost("/zns/webhook/{tenant}", ZnsAsync).WithName("ZnsWebhook")
            .WithSummary("Zalo OA webhook events signed with X-ZEvent-Signature; user_received_message marks a ZNS message delivered");
        app.MapGroup("/api/messages").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Messaging")
            .MapGet("/{messageId}", GetAsync).WithName("GetMessage").WithSummary("One message: channel, purpose, status, cost, delivery and click");
        return app;
    }

    private static async Task<Results<Ok<MessageStatus>, ProblemHttpResult>> GetAsync(string messageId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IMessageGrain>(TenantKey.Compose(http.User.Tenant(), messageId)).GetAsync() is { } record
            ? TypedResults.Ok(new MessageStatus(messageId, record))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No message '{messageId}'.");

    private static async Task<Results<Ok<string>, ProblemHttpResult, ValidationProblem>> EsmsAsync(
        string tenant, string signature, HttpContext http, IGrainFactory grains, IOptions<MessagingOptions> options, TimeProvider clock, ILogger<MessageSender> logger)
    {
        if (!DeliveryReports.EsmsSignatureValid(options.Value.Sms, tenant, signature))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not a callback address we gave out");
        }
        var q = http.Request.Query;
        if (q["RequestId"].ToString() is not { Length: > 0 and <= 64 } messageId)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["RequestId"] = ["is required: the request id we sent with the message"] });
        }
        var status = DeliveryReports.EsmsStatus(q["SendStatus"], q["SendSuccess"], q["SendFailed"]);
        return await RecordAsync(grains, tenant, messageId, status, clock.GetUtcNow(), logger, "sms");
    }

    private static async Task<Results<Ok<string>, ProblemHttpResult, ValidationProblem>> ZnsAsync(
        string tenant, HttpContext http, IGrainFactory grains, IOptions<MessagingOptions> options, TimeProvider clock, ILogger<MessageSender> logger)
    {
        string body;
        using (var reader = new StreamReader(http.Request.Body))
        {
            body = await reader.ReadToEndAsync(http.RequestAborted);
        }
        JsonElement e;
        try
        {
            e = JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must be the JSON of a Zalo webhook event"] });
        }
        var (timestamp, tracking, status, at) = DeliveryReports.ReadZnsEvent(e);
        if (timestamp is null || !DeliveryReports.ZnsSignatureValid(options.Value.Zns, body, timestamp, http.Request.Headers["X-ZEvent-Signature"]))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The event's X-ZEvent-Signature does not match");
        }
        if (status == ReportedStatus.Pending || tracking is null)
        {
            // Followers, messages from users and the like: not about delivery. Zalo wants 200 for every event.
            return TypedResults.Ok("ignored");
        }
        return await RecordAsync(grains, tenant, tracking, status, at ?? clock.GetUtcNow(), logger, "zns");
    }

    private static async Task<Results<Ok<string>, ProblemHttpResult, ValidationProblem>> RecordAsync(
        IGrainFactory grains, string tenant, string messageId, ReportedStatus status, DateTimeOffset at, ILogger logger, string channel)
    {
        var message = grains.GetGrain<IMessageGrain>(TenantKey.Compose(tenant, messageId));
        if (await message.GetAsync() is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No message with that id was sent.");
        }
        if (status == ReportedStatus.Pending)
        {
            return TypedResults.Ok("pending");
        }
        // A repeated report (eSMS retries its callback up to five times) changes nothing and counts once.
        var changed = await message.DeliveryReportAsync(status == ReportedStatus.Delivered, at);
        LogReport(logger, channel, status, changed);
        return TypedResults.Ok(status == ReportedStatus.Delivered ? "delivered" : "failed");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Channel} delivery report: {Status} (new: {Changed})")]
    private static partial void LogReport(ILogger logger, string channel, ReportedStatus status, bool changed);
}
