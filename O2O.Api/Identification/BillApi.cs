using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Loyalty;
using O2O.Grains.MasterData;
using O2O.Grains.Messaging;
using O2O.Grains.Orders;
using QRCoder;

namespace O2O.Api.Identification;

/// <summary>The bill link the POS prints.</summary>
public sealed record BillLink(string OrderId, string Url, DateTimeOffset ExpiresAt);

/// <summary>What the bill page shows.</summary>
public sealed record BillPage(
    string OrderId, string? StoreId, DateTimeOffset PlacedAt, long Total, IReadOnlyList<BillLine> Items, string Status,
    long PointsToCollect, long ReviewPoints, bool Reviewed, bool Identified, string? MaskedPhone, string? ShopUrl);

public sealed record BillLine(string Name, int Quantity, long Price);

public sealed record ReviewRequest(int Stars, string? Comment);

public sealed record CodeRequest(string? Phone);

public sealed record VerifyRequest(string? Phone, string? Code, string? AnonymousId);

public sealed record CodeSent(string MaskedPhone, string Channel, int ResendAfterSeconds);

public sealed record Verified(long PointsEarned, long Balance, string? ShopUrl);

public sealed record ReviewSaved(bool Saved, long PointsEarned);

/// <summary>
/// Bill QR: the POS gets a signed link and its QR image per order; the shopper's phone opens the
/// page (<c>/b/{token}</c>), reviews the order and proves a phone number with a one-time code.
/// The page's calls need nothing but the link: the signature is the authority.
/// </summary>
public static class BillApi
{
    public static IEndpointRouteBuilder MapBillApi(this IEndpointRouteBuilder app)
    {
        var pos = app.MapGroup("/v1/orders/{orderId}").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Bill QR");
        pos.MapGet("/bill-link", Link).WithName("GetBillLink").WithSummary("The order's signed, expiring link for the printed bill");
        pos.MapGet("/bill-qr.png", Png).WithName("GetBillQrPng").WithSummary("The bill link as a QR code (PNG) for the POS to print");
        pos.MapGet("/bill-qr.svg", Svg).WithName("GetBillQrSvg").WithSummary("The bill link as a QR code (SVG)");

        // Public on purpose: the signed, expiring token in the path is the shopper's only credential.
        var page = app.MapGroup("/b/{token}").AllowAnonymous().WithTags("Bill page");
        page.MapGet("/", PageHtml).WithName("BillPageHtml").WithSummary("The shopper's mobile page (Vietnamese)").ExcludeFromDescription();
        page.MapGet("/order", GetOrderAsync).WithName("GetBillOrder").WithSummary("The order behind a bill link; opening it counts the scan (and the click when it came in a message)");
        page.MapPost("/review", ReviewAsync).WithName("ReviewBillOrder").WithSummary("Stars and a comment on the order");
        page.MapPost("/code", RequestCodeAsync).WithName("RequestBillCode").WithSummary("Send a one-time code to the phone the shopper gives");
        page.MapPost("/verify", VerifyAsync).WithName("VerifyBillCode").WithSummary("Check the code: the order becomes the person's, points are credited");
        return app;
    }

    private static Results<Ok<BillLink>, ProblemHttpResult> Link(string orderId, HttpContext http, BillLinks links)
    {
        if (!links.IsConfigured)
        {
            return NotConfigured();
        }
        var (token, expires) = links.Create(http.User.Tenant(), orderId);
        return TypedResults.Ok(new BillLink(orderId, links.Url(token), expires));
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> Png(string orderId, HttpContext http, BillLinks links, int pixels = 8)
    {
        if (!links.IsConfigured)
        {
            return NotConfigured();
        }
        using var data = QrOf(links, http.User.Tenant(), orderId);
        return TypedResults.File(new PngByteQRCode(data).GetGraphic(Math.Clamp(pixels, 2, 20)), "image/png");
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Svg(string orderId, HttpContext http, BillLinks links)
    {
        if (!links.IsConfigured)
        {
            return NotConfigured();
        }
        using var data = QrOf(links, http.User.Tenant(), orderId);
        return TypedResults.Content(new SvgQRCode(data).GetGraphic(8), "image/svg+xml");
    }

    private static QRCodeData QrOf(BillLinks links, string tenant, string orderId)
    {
        var (token, _) = links.Create(tenant, orderId);
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(links.Url(token), QRCodeGenerator.ECCLevel.M);
    }

    private static IResult PageHtml(string token, IWebHostEnvironment env)
    {
        var file = env.WebRootFileProvider.GetFileInfo("bill/index.html");
        return file.Exists ? TypedResults.File(file.CreateReadStream(), "text/html; charset=utf-8") : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<BillPage>, ProblemHttpResult>> GetOrderAsync(
        string token, BillLinks links, BillIdentification identification, IGrainFactory grains, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<LoyaltyOptions> loyalty, CancellationToken ct, string? m = null, string? aid = null)
    {
        var (tenant, orderId, problem) = links.Check(token);
        if (problem != BillLinkProblem.None)
        {
            return Refused(problem);
        }
        var order = new OrderKey(tenant, orderId).In(grains);
        if (await order.GetAsync() is not { } view)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Không tìm thấy đơn hàng",
                detail: "Đơn hàng chưa được cập nhật. Vui lòng thử lại sau ít phút.");
        }
        var now = clock.GetUtcNow();
        if (await order.ScannedAsync(now))
        {
            await grains.GetGrain<IMasterDataKpiGrain>(tenant).AddAsync([new KpiDelta(Grains.Attribution.ReportCalendar.DayOf(now), Kpi.BillScans, 1)]);
        }
        var shopUrl = links.Options.ShopUrl;
        if (m is { Length: > 0 and <= 64 } messageId)
        {
            var message = grains.GetGrain<IMessageGrain>(TenantKey.Compose(tenant, messageId));
            // Only a link that really went out in a message about this order identifies its opener.
            if (await message.GetAsync() is { OrderId: { } about } && about == orderId)
            {
                await message.ClickedAsync(now);
                if (aid is { Length: > 0 and <= 200 } anonymousId && await identification.JoinBrowserAsync(tenant, orderId, anonymousId, ct))
                {
                    shopUrl = HandOff(shopUrl, anonymousId);
                }
            }
        }
        return TypedResults.Ok(ToPage(view, loyalty.Value, shopUrl));
    }

    private static async Task<Results<Ok<ReviewSaved>, ProblemHttpResult, ValidationProblem>> ReviewAsync(
        string token, ReviewRequest body, BillLinks links, BillIdentification identification, IGrainFactory grains, TimeProvider clock)
    {
        var (tenant, orderId, problem) = links.Check(token);
        if (problem != BillLinkProblem.None)
        {
            return Refused(problem);
        }
        if (body.Stars is < 1 or > 5)
        {
            return Invalid("stars", "Vui lòng chọn từ 1 đến 5 sao.");
        }
        if (body.Comment is { Length: > 1000 })
        {
            return Invalid("comment", "Nhận xét tối đa 1000 ký tự.");
        }
        var order = new OrderKey(tenant, orderId).In(grains);
        var saved = await order.ReviewAsync(new OrderReview(body.Stars, body.Comment?.Trim(), clock.GetUtcNow()));
        if (!saved)
        {
            return await order.GetAsync() is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Không tìm thấy đơn hàng")
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Đơn hàng đã được đánh giá", detail: "Mỗi đơn hàng chỉ được đánh giá một lần.");
        }
        var points = await identification.ReviewPointsAsync(tenant, (await order.GetAsync())!);
        return TypedResults.Ok(new ReviewSaved(true, points));
    }

    private static async Task<Results<Accepted<CodeSent>, ProblemHttpResult, ValidationProblem>> RequestCodeAsync(
        string token, CodeRequest body, HttpContext http, BillLinks links, BillIdentification identification, CancellationToken ct)
    {
        var (tenant, orderId, problem) = links.Check(token);
        if (problem != BillLinkProblem.None)
        {
            return Refused(problem);
        }
        if (ContactPoints.NormalizePhone(body.Phone) is not { } phone)
        {
            return Invalid("phone", "Số điện thoại không hợp lệ.");
        }
        var outcome = await identification.RequestCodeAsync(tenant, orderId, phone, ClientOf(http), ct);
        if (!outcome.Sent)
        {
            return Problem(http, outcome.Status, outcome.Refusal!, outcome.RetryAfter);
        }
        return TypedResults.Accepted((string?)null, new CodeSent(outcome.MaskedPhone!, outcome.Channel!.Value.ToString(), (int)outcome.RetryAfter.TotalSeconds));
    }

    private static async Task<Results<Ok<Verified>, ProblemHttpResult, ValidationProblem>> VerifyAsync(
        string token, VerifyRequest body, HttpContext http, BillLinks links, BillIdentification identification, CancellationToken ct)
    {
        var (tenant, orderId, problem) = links.Check(token);
        if (problem != BillLinkProblem.None)
        {
            return Refused(problem);
        }
        if (ContactPoints.NormalizePhone(body.Phone) is not { } phone)
        {
            return Invalid("phone", "Số điện thoại không hợp lệ.");
        }
        if (body.Code is not { Length: 6 } code || !code.All(char.IsAsciiDigit))
        {
            return Invalid("code", "Mã xác nhận gồm 6 chữ số.");
        }
        var anonymousId = body.AnonymousId is { Length: > 0 and <= 200 } aid ? aid : null;
        var outcome = await identification.VerifyAsync(tenant, orderId, phone, code, anonymousId, ClientOf(http), ct);
        if (!outcome.Verified)
        {
            return Problem(http, outcome.Status, outcome.Refusal!, outcome.RetryAfter);
        }
        var shop = links.Options.ShopUrl is { } url && anonymousId is not null ? HandOff(url, anonymousId) : links.Options.ShopUrl;
        return TypedResults.Ok(new Verified(outcome.PointsEarned, outcome.Balance, shop));
    }

    /// <summary>
    /// The shop's address with analytics.js' query-string identify: <c>ajs_aid</c> makes the shop's
    /// tracker use the browser id now joined to the person, so its events land on their profile.
    /// </summary>
    public static string? HandOff(string? shopUrl, string anonymousId) => shopUrl is null ? null
        : $"{shopUrl}{(shopUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?')}ajs_aid={Uri.EscapeDataString(anonymousId)}&ajs_uid={Uri.EscapeDataString("o2o-" + anonymousId)}";

    private static BillPage ToPage(OrderView view, LoyaltyOptions loyalty, string? shopUrl) => new(
        view.OrderId, view.StoreId, view.PlacedAt, view.Total,
        [.. view.Items.Select(i => new BillLine(i.Name ?? i.Sku, i.Quantity, i.Price))],
        view.Status.ToString(), loyalty.PointsFor(view.Total), loyalty.ReviewPoints, view.Review is not null,
        view.IdentifiedAt is not null, view.IdentifiedAt is not null ? view.MaskedPhone : null, shopUrl);

    private static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static ProblemHttpResult Refused(BillLinkProblem problem) => problem == BillLinkProblem.Expired
        ? TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Liên kết đã hết hạn", detail: "Liên kết của hóa đơn này đã hết hạn.")
        : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Liên kết không hợp lệ", detail: "Liên kết không hợp lệ. Vui lòng quét lại mã QR trên hóa đơn.");

    private static ProblemHttpResult Problem(HttpContext http, int status, string detail, TimeSpan retryAfter)
    {
        if (retryAfter > TimeSpan.Zero && status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        return TypedResults.Problem(statusCode: status, title: detail, detail: detail);
    }

    private static ProblemHttpResult NotConfigured() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Bill links are not configured", detail: "Set O2O:BillLinks:SigningKey (32+ characters) to issue order links.");

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: message);
}
