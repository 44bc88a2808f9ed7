using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Attribution;

/// <summary>
/// Reports on the real API with its embedded silo. Each test plays its journeys on a day of its own in
/// the past, so the shared cluster's other data never lands in its period.
/// </summary>
public sealed class ReportsApiTests(ApiFactory api)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string At(DateOnly day, int hour, int minute = 0) =>
        new DateTimeOffset(day.Year, day.Month, day.Day, hour, minute, 0, TimeSpan.FromHours(7)).ToString("O");

    private async Task PostAsync(string path, string json)
    {
        var response = await api.Writer().PostAsync(path, Json(json));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldNotContain("\"field\"", customMessage: body);
    }

    /// <summary>
    /// A: Facebook click, visit, 1,000,000 VND order. B: Google click two days before, Facebook click, visit.
    /// C: walks into another store with no touch (organic).
    /// </summary>
    private async Task<string> SeedAsync(DateOnly day)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        static string Phone() => "+8490" + Random.Shared.Next(1_000_000, 9_999_999);
        string a = Phone(), b = Phone(), c = Phone();
        await PostAsync("/v1/batch", $$$$"""
            {"batch":[
              {"type":"page","anonymousId":"a-{{{{id}}}}","messageId":"a1-{{{{id}}}}","timestamp":"{{{{At(day, 9)}}}}","context":{"page":{"url":"https://shop.vn/?utm_source=facebook&utm_medium=paid_social&utm_campaign=fb-{{{{id}}}}&utm_content=video"}}},
              {"type":"identify","anonymousId":"a-{{{{id}}}}","messageId":"a2-{{{{id}}}}","timestamp":"{{{{At(day, 9, 5)}}}}","traits":{"phone":"{{{{a}}}}"}},
              {"type":"page","anonymousId":"b-{{{{id}}}}","messageId":"b1-{{{{id}}}}","timestamp":"{{{{At(day.AddDays(-2), 9)}}}}","context":{"page":{"url":"https://shop.vn/?utm_source=google&utm_medium=cpc&utm_campaign=gg-{{{{id}}}}"}}},
              {"type":"page","anonymousId":"b-{{{{id}}}}","messageId":"b2-{{{{id}}}}","timestamp":"{{{{At(day, 10)}}}}","context":{"page":{"url":"https://shop.vn/?utm_source=facebook&utm_medium=paid_social&utm_campaign=fb-{{{{id}}}}&utm_content=video"}}},
              {"type":"identify","anonymousId":"b-{{{{id}}}}","messageId":"b3-{{{{id}}}}","timestamp":"{{{{At(day, 10, 5)}}}}","traits":{"phone":"{{{{b}}}}"}}
            ]}
            """);
        // Let the touches land before the visits that they explain.
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId=b-{id}", p => p.GetProperty("totals").GetProperty("events").GetInt32() >= 3);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId=a-{id}", p => p.GetProperty("totals").GetProperty("events").GetInt32() >= 2);
        await PostAsync("/v1/checkins", $$"""{"storeId":"R1-{{id}}","method":"qr","phone":"{{a}}","timestamp":"{{At(day, 12)}}"}""");
        await PostAsync("/v1/orders", $$"""{"orderId":"o-{{id}}","source":"pos","storeId":"R1-{{id}}","total":1000000,"customer":{"phone":"{{a}}"},"timestamp":"{{At(day, 12, 30)}}"}""");
        await PostAsync("/v1/checkins", $$"""{"storeId":"R1-{{id}}","method":"wifi","phone":"{{b}}","timestamp":"{{At(day, 15)}}"}""");
        await PostAsync("/v1/checkins", $$"""{"storeId":"R2-{{id}}","method":"pos","phone":"{{c}}","timestamp":"{{At(day, 11)}}"}""");
        return id;
    }

    private static string Period(DateOnly day) => $"from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";

    [Fact]
    public async Task OverviewShowsTheOnlineInfluencedShareOfVisitsAndRevenue()
    {
        var day = new DateOnly(2026, 3, 10);
        await SeedAsync(day);

        var overview = await Eventually.GetJsonAsync(api.Reader(), $"/v1/reports/overview?{Period(day)}",
            o => o.GetProperty("storeVisits").GetInt64() == 3 && o.GetProperty("revenue").GetInt64() == 1_000_000);

        overview.GetProperty("onlineInfluencedVisits").GetInt64().ShouldBe(2);
        overview.GetProperty("onlineInfluencedVisitShare").GetDouble().ShouldBe(2 / 3.0, tolerance: 1e-9);
        overview.GetProperty("onlineInfluencedRevenueShare").GetDouble().ShouldBe(1.0);
    }

    [Fact]
    public async Task AttributionSwitchesModelWithoutRecomputing()
    {
        var day = new DateOnly(2026, 3, 12);
        var id = await SeedAsync(day);
        var last = await Eventually.GetJsonAsync(api.Reader(), $"/v1/reports/attribution?model=LastTouch&by=campaign&{Period(day)}",
            t => t.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("visits").GetDouble()) >= 2 - 1e-9 && t.GetProperty("organicVisits").GetInt64() == 1
                && t.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("revenue").GetInt64()) == 1_000_000);

        Row(last, $"fb-{id}").GetProperty("visits").GetDouble().ShouldBe(2);
        Row(last, $"fb-{id}").GetProperty("revenue").GetInt64().ShouldBe(1_000_000);

        var first = await api.Reader().GetFromJsonAsync<JsonElement>($"/v1/reports/attribution?model=FirstTouch&by=campaign&{Period(day)}");
        Row(first, $"fb-{id}").GetProperty("visits").GetDouble().ShouldBe(1);
        Row(first, $"gg-{id}").GetProperty("visits").GetDouble().ShouldBe(1);

        var linear = await api.Reader().GetFromJsonAsync<JsonElement>($"/v1/reports/attribution?model=linear&by=channel&{Period(day)}");
        Row(linear, "facebook").GetProperty("visits").GetDouble().ShouldBe(1.5);
        Row(linear, "google").GetProperty("visits").GetDouble().ShouldBe(0.5);
    }

    [Fact]
    public async Task StoreLeaderboardAndFunnelCoverThePeriod()
    {
        var day = new DateOnly(2026, 3, 14);
        var id = await SeedAsync(day);

        var stores = await Eventually.GetJsonAsync(api.Reader(), $"/v1/reports/stores?{Period(day)}",
            s => s.GetProperty("stores").GetArrayLength() == 2 && s.GetProperty("stores")[0].GetProperty("visits").GetInt64() == 2);
        var top = stores.GetProperty("stores")[0];
        top.GetProperty("storeId").GetString().ShouldBe($"R1-{id}");
        top.GetProperty("onlineInfluencedShare").GetDouble().ShouldBe(1.0);
        stores.GetProperty("stores")[1].GetProperty("onlineInfluencedVisits").GetInt64().ShouldBe(0);

        var funnel = await Eventually.GetJsonAsync(api.Reader(), $"/v1/reports/funnel?by=store&{Period(day)}",
            f => f.GetProperty("rows").EnumerateArray().Any(r => r.GetProperty("id").GetString() == $"R1-{id}"));
        var store = funnel.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("id").GetString() == $"R1-{id}");
        store.GetProperty("funnel").GetProperty("steps").EnumerateArray()
            .First(s => s.GetProperty("stage").GetString() == "StoreVisited").GetProperty("reached").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task AnUnknownModelIsAProblemNamingTheField()
    {
        var response = await api.Reader().GetAsync("/v1/reports/attribution?model=mystery");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty("model", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task ReportsNeedAReadTokenOrAMarketer() =>
        (await api.CreateClient().GetAsync("/v1/reports/overview")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task WhatIfSaysWhyWhenThereIsTooLittleData()
    {
        var answer = await api.Reader(ApiFactory.OtherReadToken).GetFromJsonAsync<JsonElement>("/v1/reports/what-if?channel=viber&monthlySpend=500000000");

        answer.GetProperty("visits").ValueKind.ShouldBe(JsonValueKind.Null);
        answer.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ShouldContain(p => p!.Contains("chưa có chi tiêu"));
    }

    private static JsonElement Row(JsonElement table, string key) =>
        table.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == key);
}
