using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Identification;
using O2O.Api.Security;
using O2O.Grains.Orders;
using O2O.Silo.Messaging;

namespace O2O.Api.Messaging;

public sealed record SendLinkRequest(string? Channel);

public sealed record MessageSent(string MessageId, string Channel, string Status, long CostVnd, string? ErrorCode, string? Error, bool Retryable, int Attempts);


/// <summary>Sending an order's link to its customer, and people's wish not to be contacted.</summary>
public static class MessagingApi
{
    public static IEndpointRouteBuilder MapMessagingApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Messaging");
        v1.MapPost("/orders/{orderId}/send-link", SendLinkAsync).WithName("SendOrderLink")
            .WithSummary("Send the order's link to its customer (ZNS with the link on the button, SMS or email); consent is checked first");
        return app;
    }

    private static async Task<Results<Ok<MessageSent>, ProblemHttpResult, ValidationProblem>> SendLinkAsync(
        string orderId, SendLinkRequest body, HttpContext http, IGrainFactory grains, BillLinks links, MessageSender sender, CancellationToken ct)
    {
        if (!Enum.TryParse<Channel>(body.Channel ?? "zns", ignoreCase: true, out var channel) || !Enum.IsDefined(channel))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["channel"] = ["must be zns, sms or email"] });
        }
        if (!links.IsConfigured)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Bill links are not configured");
        }
        var tenant = http.User.Tenant();
        var order = new OrderKey(tenant, orderId).In(grains);
        if (await order.GetAsync() is not { } view)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No order '{orderId}'.");
        }
        var (phonePseudonym, emailPseudonym) = await order.GetContactAsync();
        var contact = await Identification.OrderContacts.OfAsync(grains, tenant, phonePseudonym, emailPseudonym);
        var to = channel == Channel.Email ? contact?.Email : contact?.Phone;
        if (to is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The order has no customer to send to",
                detail: channel == Channel.Email ? "The order names no email address." : "The order names no phone number.");
        }
        var messageId = Guid.NewGuid().ToString("N");
        var (token, _) = links.Create(tenant, orderId);
        var link = links.Url(token, messageId);
        var store = view.StoreId ?? "cửa hàng";
        var result = await sender.SendAsync(new OutgoingMessage
        {
            Tenant = tenant,
            Channel = channel,
            Purpose = MessagePurpose.OrderLink,
            To = to,
            MessageId = messageId,
            Subject = $"Đánh giá đơn hàng {orderId} và nhận điểm",
            Text = channel == Channel.Sms
                ? $"Cam on ban da mua hang tai {store}. Danh gia don {orderId} va nhan diem: {link}"
                : $"Cảm ơn bạn đã mua hàng tại {store}. Đánh giá đơn {orderId} và nhận điểm tích lũy:",
            Link = link,
            TemplateData = new Dictionary<string, string>
            {
                ["customer_name"] = contact?.Name ?? "Quý khách",
                ["order_code"] = orderId,
                ["store"] = store,
                ["link"] = link,
            },
        }, orderId, ct);
        return TypedResults.Ok(new MessageSent(messageId, channel.ToString(), result.Status.ToString(), result.CostVnd,
            result.Error?.Code, result.Error?.Message, result.Error?.Retryable ?? false, result.Attempts));
    }
}
