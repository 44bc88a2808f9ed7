using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Identification;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Identity;
using O2O.Grains.MasterData;
using O2O.Grains.Vouchers;

namespace O2O.Api.Vouchers;

public sealed record ReferRequest(string? Phone);

public sealed record RedeemVoucherRequest(string? OrderId, long Total, string? Phone, string? StoreId, string? Channel);

public sealed record VoucherRedeemed(string Code, long Discount, bool FirstUse);

/// <summary>Referral invitations from the bill page, and vouchers redeemed at the till or online.</summary>
public static class VouchersApi
{
    public static IEndpointRouteBuilder MapVouchersApi(this IEndpointRouteBuilder app)
    {
        // Public like the rest of the bill page: the signed token is the credential.
        app.MapPost("/b/{token}/refer", ReferAsync).AllowAnonymous().WithTags("Bill page").WithName("ReferRelative")
            .WithSummary("Send a relative a welcome voucher naming the verified shopper; every refusal says why");
        app.MapGroup("/v1/vouchers").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Vouchers")
            .MapPost("/{code}/redeem", RedeemAsync).WithName("RedeemVoucher")
            .WithSummary("Redeem at the till or online: the discount, or 409 with the reason (used, expired, someone else's)");
        app.MapGroup("/api/vouchers").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Vouchers")
            .MapGet("/{code}", GetAsync).WithName("GetVoucher").WithSummary("A voucher's terms and uses");
        return app;
    }

    private static async Task<Results<Ok<ReferralDecision>, ProblemHttpResult, ValidationProblem>> ReferAsync(
        string token, ReferRequest body, BillLinks links, Referrals referrals, CancellationToken ct)
    {
        var (tenant, orderId, problem) = links.Check(token);
        if (problem != BillLinkProblem.None)
        {
            return TypedResults.Problem(statusCode: problem == BillLinkProblem.Expired ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound,
                title: "Liên kết không hợp lệ");
        }
        if (ContactPoints.NormalizePhone(body.Phone) is not { } recipient)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["Số điện thoại người nhận không hợp lệ."] });
        }
        var decision = await referrals.InviteAsync(tenant, orderId, recipient, ct);
        if (decision.Sent)
        {
            return TypedResults.Ok(decision);
        }
        var status = decision.ReasonCode switch
        {
            "not-verified" => StatusCodes.Status403Forbidden,
            "not-delivered" => StatusCodes.Status503ServiceUnavailable,
            "monthly-cap" => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status409Conflict,
        };
        return TypedResults.Problem(statusCode: status, title: decision.Reason, detail: decision.Reason,
            extensions: new Dictionary<string, object?> { ["reason"] = decision.ReasonCode });
    }

    private static async Task<Results<Ok<VoucherRedeemed>, ProblemHttpResult, ValidationProblem>> RedeemAsync(
        string code, RedeemVoucherRequest body, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        if (body.OrderId is not { Length: > 0 and <= 200 } orderId)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["orderId"] = ["is required"] });
        }
        if (body.Total < 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["total"] = ["must not be negative"] });
        }
        string? phone = null;
        if (body.Phone is not null && (phone = ContactPoints.NormalizePhone(body.Phone)) is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["is not a valid phone number"] });
        }
        var channel = body.Channel?.ToLowerInvariant() ?? "pos";
        if (channel is not ("pos" or "online"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["channel"] = ["must be pos or online"] });
        }
        var tenant = http.User.Tenant();
        var now = clock.GetUtcNow();
        var outcome = await grains.GetGrain<IVoucherGrain>(TenantKey.Compose(tenant, code.ToUpperInvariant()))
            .RedeemAsync(new VoucherUse(orderId, body.Total, phone, body.StoreId, channel, now));
        if (!outcome.Redeemed)
        {
            return TypedResults.Problem(statusCode: outcome.Refusal == "no such voucher" ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict,
                title: "Voucher not redeemed", detail: outcome.Refusal);
        }
        var day = ReportCalendar.DayOf(now);
        await grains.GetGrain<IMasterDataKpiGrain>(tenant).AddAsync(outcome.FirstUse
            ? [new KpiDelta(day, Kpi.ReferralsRedeemed, 1), new KpiDelta(day, Kpi.ReferralRevenue, body.Total)]
            : [new KpiDelta(day, Kpi.ReferralRevenue, body.Total)]);
        return TypedResults.Ok(new VoucherRedeemed(code.ToUpperInvariant(), outcome.Discount, outcome.FirstUse));
    }

    private static async Task<Results<Ok<VoucherView>, ProblemHttpResult>> GetAsync(string code, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IVoucherGrain>(TenantKey.Compose(http.User.Tenant(), code.ToUpperInvariant())).GetAsync() is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No voucher '{code}'.");
}
