using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using O2O.Api.Security;
using O2O.Grains.Attribution;
using O2O.Grains.Spend;

namespace O2O.Api.Spend;

/// <summary>A rejected row: its number (CSV: line in the file), the field and what is wrong.</summary>
public sealed record RejectedRow(int Row, string Field, string Message);

/// <summary>What an upload did: rows stored and rows rejected, each with the reason.</summary>
public sealed record SpendUploadReport(int Accepted, int Rejected, IReadOnlyList<RejectedRow> Errors);

public sealed record SpendRequest(IReadOnlyList<SpendInput>? Rows);

/// <summary>Daily ad spend per channel, campaign, content and audience, in whole VND.</summary>
public static class SpendApi
{
    private const int MaximumRows = 50_000;

    public static IEndpointRouteBuilder MapSpendApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/spend").RequireAuthorization(O2OPolicies.Spend).WithTags("Spend");
        api.MapPost("/", PostAsync).WithName("RecordSpend").WithSummary("Record daily spend rows (JSON); all rows must be valid");
        api.MapPost("/csv", UploadCsvAsync).WithName("UploadSpendCsv").DisableAntiforgery()
            .WithSummary("Upload spend as CSV (date,channel,campaign,content,audience,amount); valid rows are stored, the rest reported");
        return app;
    }

    private static async Task<Results<Ok<SpendUploadReport>, ValidationProblem>> PostAsync(SpendRequest request, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        if (request.Rows is not { Count: > 0 } inputs)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["rows"] = ["Send at least one row."] });
        }
        if (inputs.Count > MaximumRows)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["rows"] = [$"Send at most {MaximumRows} rows at a time."] });
        }
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        var rows = new List<SpendRow>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (row, rowErrors) = SpendValidation.Validate(inputs[i], today);
            foreach (var (field, message) in rowErrors)
            {
                errors[$"rows[{i}].{field}"] = [message];
            }
            if (row is not null)
            {
                rows.Add(row);
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Some spend rows are invalid; nothing was stored.");
        }
        await grains.GetGrain<ISpendGrain>(http.User.Tenant()).RecordAsync(rows);
        return TypedResults.Ok(new SpendUploadReport(rows.Count, 0, []));
    }

    private static async Task<Results<Ok<SpendUploadReport>, ValidationProblem>> UploadCsvAsync(HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        Stream body;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync();
            if (form.Files.Count == 0)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Attach the CSV file as form field 'file'."] });
            }
            body = form.Files[0].OpenReadStream();
        }
        else
        {
            body = http.Request.Body;
        }
        using var reader = new StreamReader(body);
        var parsed = await SpendCsv.ReadAsync(reader, ReportCalendar.DayOf(clock.GetUtcNow()), MaximumRows);
        if (parsed.HeaderProblem is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [problem] });
        }
        if (parsed.Rows.Count > 0)
        {
            await grains.GetGrain<ISpendGrain>(http.User.Tenant()).RecordAsync(parsed.Rows);
        }
        return TypedResults.Ok(new SpendUploadReport(parsed.Rows.Count, parsed.Errors.Select(e => e.Row).Distinct().Count(), parsed.Errors));
    }
}

/// <summary>Reads a spend CSV row by row, keeping the good rows and the reasons for the bad ones.</summary>
public static class SpendCsv
{
    public static readonly string[] Columns = ["date", "channel", "campaign", "content", "audience", "amount"];
    private static readonly string[] Required = ["date", "channel", "amount"];

    public sealed record Result(List<SpendRow> Rows, List<RejectedRow> Errors, string? HeaderProblem);

    public static async Task<Result> ReadAsync(TextReader text, DateOnly today, int maximumRows)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            BadDataFound = null,
            DetectDelimiter = true,
        };
        using var csv = new CsvReader(text, config);
        if (!await csv.ReadAsync() || !csv.ReadHeader())
        {
            return new Result([], [], "The file is empty; the first line must name the columns: " + string.Join(',', Columns) + ".");
        }
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        var missing = Required.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            return new Result([], [], $"Missing column(s): {string.Join(", ", missing)}. Expected: {string.Join(',', Columns)}.");
        }
        var rows = new List<SpendRow>();
        var errors = new List<RejectedRow>();
        while (await csv.ReadAsync())
        {
            var line = csv.Parser.RawRow;
            if (rows.Count + errors.Count >= maximumRows)
            {
                errors.Add(new RejectedRow(line, "file", $"Only the first {maximumRows} rows are read; split the file."));
                break;
            }
            string? Field(string name) => header.Contains(name) ? csv.GetField(name) : null;
            var input = new SpendInput(Field("date"), Field("channel"), Field("campaign"), Field("content"), Field("audience"), Field("amount"));
            var (row, rowErrors) = SpendValidation.Validate(input, today);
            if (row is null)
            {
                errors.AddRange(rowErrors.Select(e => new RejectedRow(line, e.Key, e.Value)));
            }
            else
            {
                rows.Add(row);
            }
        }
        return new Result(rows, errors, null);
    }
}
