using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Api.Spend;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Attribution;

public sealed class SpendApiTests(ApiFactory api)
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    [Fact]
    public async Task CsvKeepsGoodRowsAndReportsEachBadOneByLineAndField()
    {
        var csv = """
            date,channel,campaign,content,audience,amount
            2026-02-01,facebook,tet,video,lookalike,12000000
            2026-02-01,,tet,video,lookalike,5000000
            2026-02-31,google,brand,,,3000000
            2026-02-02,zalo,oa,,,12.5
            2026-02-02,TikTok,live,,,-5
            2026-02-03,tiktok,live,clip,genz,7000000
            """;
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");

        var response = await api.Reader(ApiFactory.MarketingToken).PostAsync("/v1/spend/csv", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("accepted").GetInt32().ShouldBe(2);
        report.GetProperty("rejected").GetInt32().ShouldBe(4);
        var errors = report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
        errors.ShouldBe([(3, "channel"), (4, "date"), (5, "amount"), (6, "amount")]);
    }

    [Fact]
    public async Task ACsvWithoutTheAmountColumnIsRefusedWhole()
    {
        using var content = new StringContent("date,channel\n2026-02-01,facebook\n", Encoding.UTF8, "text/csv");

        var response = await api.Reader(ApiFactory.MarketingToken).PostAsync("/v1/spend/csv", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("amount");
    }

    [Fact]
    public async Task JsonSpendWithABadRowStoresNothingAndNamesTheField()
    {
        var response = await api.Reader(ApiFactory.MarketingToken).PostAsJsonAsync("/v1/spend", new
        {
            rows = new[]
            {
                new { date = "2026-02-01", channel = "facebook", amount = "1000000" },
                new { date = "2099-01-01", channel = "facebook", amount = "1000000" },
            },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty("rows[1].date", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task RecordedSpendShowsInSpendVsResults()
    {
        var response = await api.Reader(ApiFactory.OtherReadToken).PostAsJsonAsync("/v1/spend", new
        {
            rows = new[]
            {
                new { date = "2026-01-05", channel = "Facebook", campaign = "tet", amount = "12000000" },
                new { date = "2026-01-05", channel = "facebook", campaign = "brand", amount = "3000000" },
                new { date = "2026-01-06", channel = "google", campaign = "search", amount = "4000000" },
            },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var report = await api.Reader(ApiFactory.OtherReadToken).GetFromJsonAsync<JsonElement>("/v1/reports/spend?from=2026-01-05&to=2026-01-06");

        var channels = report.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!, c => c.GetProperty("spend").GetInt64());
        channels["facebook"].ShouldBe(15_000_000);
        channels["google"].ShouldBe(4_000_000);
    }

    [Fact]
    public async Task TheCsvReaderAcceptsSemicolonsAndMissingOptionalColumns()
    {
        using var reader = new StringReader("Date;Channel;Amount\n2026-02-01;facebook;100\n");

        var result = await SpendCsv.ReadAsync(reader, Today, 100);

        result.HeaderProblem.ShouldBeNull();
        result.Rows.Single().Amount.ShouldBe(100);
    }
}
