using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Http;

public sealed class IngestionApiTests(ApiFactory api)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task AnEventSentWithTheWriteKeyCanBeReadBackThroughThePhone()
    {
        var phone = MasterData.TestPhones.NewLocal();
        var response = await api.Writer().PostAsync("/v1/track", Json($$$"""
            {"anonymousId":"web-{{{phone}}}","event":"Product Viewed","messageId":"rt-{{{phone}}}",
             "properties":{"product_id":"ao-dai-lua"},
             "context":{"traits":{"phone":"{{{phone}}}","name":"Phạm Minh Châu"},
                        "page":{"url":"https://shop.vn/san-pham/ao-dai?utm_source=facebook&utm_medium=paid_social&utm_campaign=tet&fbclid=x1"} } }
            """));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{phone[1..]}");
        profile.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Phạm Minh Châu");
        profile.GetProperty("stage").GetString().ShouldBe("Engaged");
        profile.GetProperty("onlineTouches")[0].GetProperty("touch").GetProperty("campaign").GetString().ShouldBe("tet");
        var byId = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/profiles/{profile.GetProperty("profileId").GetString()}");
        byId.GetProperty("identities").EnumerateArray().Select(i => i.GetString()).ShouldContain($"anon:web-{phone}");
    }

    [Fact]
    public async Task ABatchKeepsItsGoodEventsAndReportsEachBadOne()
    {
        var id = Guid.NewGuid().ToString("N");
        var response = await api.Writer().PostAsync("/v1/batch", Json($$$"""
            {"batch":[
              {"type":"page","anonymousId":"b-{{{id}}}","messageId":"good-1-{{{id}}}","name":"Home"},
              {"type":"track","anonymousId":"b-{{{id}}}","messageId":"bad-1-{{{id}}}"},
              {"type":"launch","anonymousId":"b-{{{id}}}","messageId":"bad-2-{{{id}}}"},
              {"type":"identify","anonymousId":"b-{{{id}}}","messageId":"bad-3-{{{id}}}","traits":{"phone":"12345"}},
              {"type":"page","anonymousId":"b-{{{id}}}","messageId":"good-2-{{{id}}}","name":"Pricing","properties":{"path":"/bang-gia"}}
            ]}
            """));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("accepted").GetInt32().ShouldBe(2);
        var rejected = result.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Select(r => r.GetProperty("index").GetInt32()).ShouldBe([1, 2, 3]);
        rejected.Select(r => r.GetProperty("messageId").GetString()).ShouldBe([$"bad-1-{id}", $"bad-2-{id}", $"bad-3-{id}"]);
        rejected.Select(r => r.GetProperty("field").GetString()).ShouldBe(["event", "type", "traits.phone"]);

        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId=b-{id}",
            p => p.GetProperty("totals").GetProperty("pageViews").GetInt32() == 2);
        profile.GetProperty("totals").GetProperty("pageViews").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task BadJsonIsAProblemNamingWhereItBroke()
    {
        var response = await api.Writer().PostAsync("/v1/track", Json("{\"userId\":\"u\",\"event\":"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain("not valid JSON");
    }

    [Fact]
    public async Task AnInvalidSingleEventNamesTheField()
    {
        var response = await api.Writer().PostAsync("/v1/checkins", Json("""{"storeId":"HCM01","method":"teleport","phone":"0901234567"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("method")[0].GetString()!.ShouldContain("qr, wifi, pos");
    }

    [Fact]
    public async Task AnEventOver32KilobytesIsTooLarge()
    {
        var padding = new string('x', 33 * 1024);
        var response = await api.Writer().PostAsync("/v1/track", Json($$$"""{"userId":"u","event":"Big","properties":{"p":"{{{padding}}}"}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task ABatchOver500KilobytesIsTooLarge()
    {
        var item = $$$"""{"type":"track","userId":"u","event":"E","properties":{"p":"{{{new string('x', 20_000)}}}"}}""";
        var response = await api.Writer().PostAsync("/v1/batch", Json($$$"""{"batch":[{{{string.Join(',', Enumerable.Repeat(item, 30))}}}]}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task AWrongWriteKeyIsRefused()
    {
        var response = await api.Writer("not-a-real-write-key").PostAsync("/v1/track", Json("""{"userId":"u","event":"E"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("Basic");
    }

    [Fact]
    public async Task AWriteKeyCannotRead()
    {
        var response = await api.Writer().GetAsync("/api/profiles?phone=0901234567");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OneTenantCannotSeeAnothersProfiles()
    {
        var anonymousId = "tenant-probe-" + Guid.NewGuid().ToString("N");
        (await api.Writer().PostAsync("/v1/page", Json($$$"""{"anonymousId":"{{{anonymousId}}}","name":"Home"}"""))).EnsureSuccessStatusCode();
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anonymousId}");

        var other = await api.Reader(ApiFactory.OtherReadToken).GetAsync($"/api/profiles?anonymousId={anonymousId}");

        other.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnOrderWithoutACustomerIsKeptForItsStore()
    {
        var store = "S" + Random.Shared.Next(100_000, 999_999);
        var response = await api.Writer().PostAsync("/v1/orders", Json($$$"""
            {"orderId":"POS-{{{store}}}-1","source":"pos","storeId":"{{{store}}}","total":250000,"currency":"VND",
             "items":[{"sku":"giay-sneaker","name":"Giày sneaker","quantity":1,"price":250000}]}
            """));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var report = await Eventually.GetJsonAsync(api.Reader(), $"/api/stores/{store}", r => r.GetProperty("orders").GetInt64() == 1);
        report.GetProperty("anonymousOrders").GetInt64().ShouldBe(1);
        report.GetProperty("revenue").GetInt64().ShouldBe(250_000);
    }

    [Fact]
    public async Task AFullFeedAnswers503WithRetryAfterAndAcceptsNothing()
    {
        var id = Guid.NewGuid().ToString("N");
        var items = Enumerable.Range(0, ApiFactory.FeedCapacity + 1)
            .Select(i => $$$"""{"type":"page","anonymousId":"full-{{{id}}}-{{{i}}}","name":"p"}""");
        var response = await api.Writer().PostAsync("/v1/batch", Json($$$"""{"batch":[{{{string.Join(',', items)}}}]}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
        (await api.Reader().GetAsync($"/api/profiles?anonymousId=full-{id}-0")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnErasedProfileCanNoLongerBeFound()
    {
        var anonymousId = "erase-" + Guid.NewGuid().ToString("N");
        (await api.Writer().PostAsync("/v1/page", Json($$$"""{"anonymousId":"{{{anonymousId}}}","name":"Home"}"""))).EnsureSuccessStatusCode();
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anonymousId}");
        var id = profile.GetProperty("profileId").GetString();

        (await api.Reader().PostAsync($"/api/privacy/erasures?profileId={id}", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.Eraser().PostAsync($"/api/privacy/erasures?profileId={id}", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await api.Reader().GetAsync($"/api/profiles/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await api.Reader().GetAsync($"/api/profiles?anonymousId={anonymousId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await api.Eraser().PostAsync($"/api/privacy/erasures?profileId={id}", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task HealthAndLivenessAnswer()
    {
        var client = api.CreateClient();
        (await client.GetStringAsync("/health")).ShouldBe("Healthy");
        (await client.GetStringAsync("/alive")).ShouldBe("Healthy");
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesIngestion()
    {
        var doc = await api.CreateClient().GetStringAsync("/openapi/v1.json");
        doc.ShouldContain("/v1/batch");
        doc.ShouldContain("/api/profiles/{id}");
    }
}
