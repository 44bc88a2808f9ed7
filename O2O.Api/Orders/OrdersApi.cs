using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Extensions;
using O2O.Api.Security;
using O2O.Grains;
using O2O.Grains.Orders;

namespace O2O.Api.Orders;

/// <summary>Kept orders, and bulk imports of order history.</summary>
public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/orders").RequireAuthorization(O2OClaims.ReadPolicy).WithTags("Orders");
        read.MapGet("/{orderId}", GetAsync).WithName("GetOrder").WithSummary("One kept order: lines, totals, status history, customer when known");

        var write = app.MapGroup("/v1/orders").RequireAuthorization(O2OClaims.IngestPolicy).WithTags("Orders");
        write.MapPost("/import", ImportAsync).WithName("ImportOrders")
            .WithSummary("Streamed upload of order history: CSV through a preset (kiotviet, nhanh, haravan, shopify, shopee, tiktokshop) or JSON lines")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute()).WithoutRequestDeadline();
        write.MapGet("/imports/{importId}", GetImportAsync).WithName("GetOrderImport").WithSummary("An import's progress and bad rows, while it runs and after");
        return app;
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> GetAsync(string orderId, HttpContext http, IGrainFactory grains) =>
        await new OrderKey(http.User.Tenant(), orderId).In(grains).GetAsync() is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No order '{orderId}'.");

    private static async Task<Results<Ok<ImportView>, ProblemHttpResult>> GetImportAsync(string importId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IOrderImportGrain>(TenantKey.Compose(http.User.Tenant(), importId)).GetAsync() is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No import '{importId}'.");

    private static async Task<Results<Ok<ImportView>, ValidationProblem>> ImportAsync(
        HttpContext http, OrderImporter importer, CancellationToken ct,
        string? preset = null, string? format = null, string? importId = null, string? storeId = null)
    {
        ImportFormat kind;
        var type = http.Request.ContentType ?? "";
        if (format is not null)
        {
            if (!TryFormat(format, out kind))
            {
                return Invalid("format", "must be csv or jsonl");
            }
        }
        else if (type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            kind = ImportFormat.Csv;
        }
        else if (type.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || type.Contains("jsonl", StringComparison.OrdinalIgnoreCase))
        {
            kind = ImportFormat.JsonLines;
        }
        else
        {
            return Invalid("format", "say csv or jsonl with ?format=, or send Content-Type text/csv or application/x-ndjson");
        }
        OrderImportPreset? mapping = null;
        if (kind == ImportFormat.Csv && (preset is null || !OrderImportPresets.All.TryGetValue(preset, out mapping)))
        {
            return Invalid("preset", $"a CSV upload needs one of: {string.Join(", ", OrderImportPresets.All.Keys)}");
        }
        if (storeId is not null && (storeId.Length is 0 or > 64 || !storeId.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')))
        {
            return Invalid("storeId", "must be 1 to 64 letters, digits, '-', '_' or '.'");
        }
        if (importId is not null && (importId.Length is 0 or > 64 || !importId.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_')))
        {
            return Invalid("importId", "must be 1 to 64 letters, digits, '-' or '_'");
        }
        // History files are large by nature; the importer streams them, so no size limit applies here.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        try
        {
            var view = await importer.RunAsync(http.User.Tenant(), importId ?? Guid.NewGuid().ToString("N"), kind, mapping, storeId, http.Request.Body, ct);
            return TypedResults.Ok(view);
        }
        catch (ImportRefusedException ex)
        {
            return Invalid(ex.Field, ex.Message);
        }
    }

    private static bool TryFormat(string format, out ImportFormat kind)
    {
        kind = format.ToLowerInvariant() switch
        {
            "csv" => ImportFormat.Csv,
            "jsonl" or "ndjson" or "json" => ImportFormat.JsonLines,
            _ => 0,
        };
        return kind != 0;
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The import is not valid");
}
