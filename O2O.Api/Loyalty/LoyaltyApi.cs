using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains.Identity;
using O2O.Grains.Loyalty;
using O2O.Grains.Privacy;

namespace O2O.Api.Loyalty;

public sealed record RedeemPointsRequest(string? Phone, long Points, string? Reference, string? StoreId);

/// <summary>Points: a person's ledger for staff, and redemption at the till.</summary>
public static class LoyaltyApi
{
    public static IEndpointRouteBuilder MapLoyaltyApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/loyalty").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Loyalty")
            .MapGet("/", GetAsync).WithName("GetLoyalty").WithSummary("A person's points balance and ledger, by phone");
        app.MapGroup("/v1/loyalty").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Loyalty")
            .MapPost("/redeem", RedeemAsync).WithName("RedeemPoints").WithSummary("Take points at the till; refused with the reason when short or already redeemed for that order");
        return app;
    }

    private static async Task<Results<Ok<LoyaltyView>, ValidationProblem>> GetAsync(HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms, string? phone = null) =>
        ContactPoints.NormalizePhone(phone) is { } normalized
            ? TypedResults.Ok(await grains.GetGrain<ILoyaltyGrain>(pseudonyms.PhoneKey(http.User.Tenant(), normalized)).GetAsync())
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["is not a valid phone number"] });

    private static async Task<Results<Ok<RedeemOutcome>, ProblemHttpResult, ValidationProblem>> RedeemAsync(RedeemPointsRequest body, HttpContext http, IGrainFactory grains, Pseudonyms pseudonyms)
    {
        if (ContactPoints.NormalizePhone(body.Phone) is not { } phone)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["is not a valid phone number"] });
        }
        if (body.Reference is not { Length: > 0 and <= 200 } reference)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reference"] = ["the order the points pay for is required"] });
        }
        var outcome = await grains.GetGrain<ILoyaltyGrain>(pseudonyms.PhoneKey(http.User.Tenant(), phone)).RedeemAsync(body.Points, reference, body.StoreId);
        return outcome.Redeemed
            ? TypedResults.Ok(outcome)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Points not redeemed", detail: outcome.Refusal);
    }
}
