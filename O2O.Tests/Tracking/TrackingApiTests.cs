using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Tracking;

/// <summary>
/// Segment's HTTP tracking API as the official libraries call it: short paths, any content type,
/// compressed bodies, the write key in the body, group, the pixel API, per-source CORS and rate limits.
/// </summary>
public sealed class TrackingApiTests(ApiFactory api)
{
    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    private HttpClient Anonymous() => api.CreateClient();

    private static ByteArrayContent Body(string json, string? contentType = "text/plain")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return content;
    }

    private static ByteArrayContent Compressed(string json, string encoding, string contentType = "application/json")
    {
        using var buffer = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true),
            "raw-deflate" => new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        })
        {
            compressor.Write(Encoding.UTF8.GetBytes(json));
        }
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        content.Headers.ContentEncoding.Add(encoding == "raw-deflate" ? "deflate" : encoding);
        return content;
    }

    private static async Task<int> AcceptedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("accepted").GetInt32();
    }

    [Fact]
    public async Task EveryShortPathTakesItsCallWithTheKeyInATextPlainBody()
    {
        var id = NewId();
        var anon = $"short-{id}";
        var key = ApiFactory.WriteKey;
        string[] calls =
        [
            $$$"""{"writeKey":"{{{key}}}","anonymousId":"{{{anon}}}","name":"Home","properties":{"path":"/"}}""",
            $$$"""{"writeKey":"{{{key}}}","anonymousId":"{{{anon}}}","name":"Checkout"}""",
            $$$"""{"writeKey":"{{{key}}}","anonymousId":"{{{anon}}}","event":"Product Viewed","properties":{"product_id":"ao-dai"}}""",
            $$$"""{"writeKey":"{{{key}}}","anonymousId":"{{{anon}}}","traits":{"name":"Lê Thị Thu"}}""",
            $$$"""{"writeKey":"{{{key}}}","anonymousId":"{{{anon}}}","groupId":"cty-{{{id}}}","traits":{"name":"Công ty Sao Mai","industry":"retail"}}""",
            $$$"""{"writeKey":"{{{key}}}","batch":[{"type":"track","anonymousId":"{{{anon}}}","event":"Product Viewed","properties":{"product_id":"non-la"}}]}""",
            $$$"""{"writeKey":"{{{key}}}","userId":"u-{{{id}}}","previousId":"{{{anon}}}"}""",
        ];
        string[] paths = ["/v1/p", "/v1/s", "/v1/t", "/v1/i", "/v1/g", "/v1/b", "/v1/a"];

        for (var i = 0; i < paths.Length; i++)
        {
            (await AcceptedAsync(await Anonymous().PostAsync(paths[i], Body(calls[i])))).ShouldBe(1, paths[i]);
        }

        // The calls are keyed by different ids (the alias by its user), so they may land in any order:
        // wait for every one of them, not for a count that the alias can reach before the batch.
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anon}",
            p => p.GetProperty("totals").GetProperty("productViews").GetInt32() >= 2 && p.GetProperty("totals").GetProperty("pageViews").GetInt32() >= 2
                && p.GetProperty("traits").TryGetProperty("name", out _) && p.GetProperty("groups").EnumerateObject().Any());
        profile.GetProperty("totals").GetProperty("pageViews").GetInt32().ShouldBe(2);
        profile.GetProperty("totals").GetProperty("productViews").GetInt32().ShouldBe(2);
        profile.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Lê Thị Thu");
        profile.GetProperty("groups").GetProperty($"cty-{id}").GetProperty("name").GetString().ShouldBe("Công ty Sao Mai");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain;charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task AnyContentTypeIsReadAsJson(string? contentType)
    {
        var response = await api.Writer().PostAsync("/v1/track",
            Body($$$"""{"anonymousId":"ct-{{{NewId()}}}","event":"Product Viewed"}""", contentType));

        (await AcceptedAsync(response)).ShouldBe(1);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    public async Task CompressedBatchesAreDecoded(string encoding)
    {
        var anon = $"zip-{NewId()}";
        // RudderStack's Node SDK: a gzipped batch labelled as a form, the key as Basic auth.
        var batch = $$$"""{"batch":[{"type":"page","anonymousId":"{{{anon}}}","name":"Home"},{"type":"page","anonymousId":"{{{anon}}}","name":"Sale"}],"sentAt":"2026-11-27T10:00:00Z"}""";

        var response = await api.Writer().PostAsync("/v1/batch", Compressed(batch, encoding, "application/x-www-form-urlencoded"));

        (await AcceptedAsync(response)).ShouldBe(2);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anon}", p => p.GetProperty("totals").GetProperty("pageViews").GetInt32() == 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AGzipBombIsTooLargeAndNothingInItIsKept(bool keyInHeader)
    {
        var anon = $"bomb-{NewId()}";
        // About 10 KB on the wire, 10 MB inflated: far past the 500 KB batch limit.
        var bomb = $$$"""{"writeKey":"{{{ApiFactory.WriteKey}}}","batch":[{"type":"page","anonymousId":"{{{anon}}}","name":"Home"}],"padding":"{{{new string(' ', 10_000_000)}}}"}""";
        var content = Compressed(bomb, "gzip");
        (await content.ReadAsByteArrayAsync()).Length.ShouldBeLessThan(64 * 1024);

        var response = await (keyInHeader ? api.Writer() : Anonymous()).PostAsync("/v1/batch", content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("code").GetString().ShouldBe("payload_too_large");
        // A later event is applied, so the bomb's would have been too had it been kept.
        var witness = $"witness-{NewId()}";
        (await AcceptedAsync(await api.Writer().PostAsync("/v1/page", Body($$$"""{"anonymousId":"{{{witness}}}","name":"Home"}""")))).ShouldBe(1);
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={witness}");
        (await api.Reader().GetAsync($"/api/profiles?anonymousId={anon}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnUnknownKeyInTheBodyIsAPermanentErrorWithCodeAndMessage()
    {
        var response = await Anonymous().PostAsync("/v1/t", Body("""{"writeKey":"no-such-write-key-000","anonymousId":"x","event":"E"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("code").GetString().ShouldBe("unauthorized");
        problem.GetProperty("message").GetString()!.ShouldContain("writeKey");
        problem.GetProperty("status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task AnInvalidEventNamesTheFieldInItsMessage()
    {
        var response = await api.Writer().PostAsync("/v1/track", Body("""{"anonymousId":"x"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("code").GetString().ShouldBe("invalid_request");
        problem.GetProperty("message").GetString()!.ShouldContain("event");
        problem.GetProperty("errors").GetProperty("event")[0].GetString()!.ShouldContain("required");
    }

    [Fact]
    public async Task AGroupCallKeepsTheCompanyOnThePersonsProfile()
    {
        var id = NewId();
        var response = await api.Writer().PostAsync("/v1/group", Body($$$"""
            {"userId":"grp-{{{id}}}","groupId":"dn-{{{id}}}","traits":{"name":"Nhà thuốc An Khang","plan":"enterprise","employees":120},
             "context":{"traits":{"name":"Võ Văn Kiệt"} } }
            """, "application/json"));
        (await AcceptedAsync(response)).ShouldBe(1);

        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?userId=grp-{id}");
        var company = profile.GetProperty("groups").GetProperty($"dn-{id}");
        company.GetProperty("name").GetString().ShouldBe("Nhà thuốc An Khang");
        company.GetProperty("plan").GetString().ShouldBe("enterprise");
        company.GetProperty("employees").GetString().ShouldBe("120");
        profile.GetProperty("traits").GetProperty("name").GetString().ShouldBe("Võ Văn Kiệt");
    }

    [Fact]
    public async Task AGroupCallWithoutAGroupIdNamesTheField()
    {
        var response = await api.Writer().PostAsync("/v1/g", Body("""{"userId":"u-1","traits":{"name":"X"}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("groupId")[0].GetString()!.ShouldContain("required");
    }

    [Fact]
    public async Task APixelAnswersAGifAndRecordsTheImpressionAsAView()
    {
        var anon = $"px-{NewId()}";
        var call = $$$"""
            {"writeKey":"{{{ApiFactory.WriteKey}}}","anonymousId":"{{{anon}}}","event":"Ad Viewed",
             "properties":{"utm_source":"youtube","utm_medium":"video","utm_campaign":"yt_tet_{{{anon}}}","utm_content":"bumper-6s"}}
            """;
        // URL-safe base64 without padding, as ad servers write it into VAST impression URLs.
        var data = Convert.ToBase64String(Encoding.UTF8.GetBytes(call)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var response = await Anonymous().GetAsync($"/v1/pixel/track?data={data}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/gif");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var gif = await response.Content.ReadAsByteArrayAsync();
        Encoding.ASCII.GetString(gif, 0, 6).ShouldBe("GIF89a");
        (BitConverter.ToUInt16(gif, 6), BitConverter.ToUInt16(gif, 8)).ShouldBe(((ushort)1, (ushort)1));
        gif[^1].ShouldBe((byte)0x3B);

        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={anon}");
        profile.GetProperty("stage").GetString().ShouldBe("Aware");
        var touch = profile.GetProperty("onlineTouches")[0].GetProperty("touch");
        touch.GetProperty("isView").GetBoolean().ShouldBeTrue();
        touch.GetProperty("source").GetString().ShouldBe("youtube");
        touch.GetProperty("campaign").GetString().ShouldBe($"yt_tet_{anon}");
    }

    [Fact]
    public async Task APixelWithBadDataIsAProblemNotAGif()
    {
        var response = await Anonymous().GetAsync("/v1/pixel/track?data=!!!not-base64!!!");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("invalid_request");
    }

    [Fact]
    public async Task ASourceOverItsRateLimitGets429WhileAnotherSourceKeepsGoing()
    {
        var limited = api.Writer(ApiFactory.LimitedWriteKey);
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await limited.PostAsync("/v1/track", Body($$$"""{"anonymousId":"rl-{{{NewId()}}}","event":"Product Viewed"}""")));
        }

        answers.Take(3).ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var refused = answers[4];
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("rate_limited");

        (await AcceptedAsync(await api.Writer().PostAsync("/v1/track", Body($$$"""{"anonymousId":"rl-{{{NewId()}}}","event":"Product Viewed"}""")))).ShouldBe(1);
    }

    [Fact]
    public async Task APreflightFromAnAllowedOriginIsGrantedWithTheLibrariesHeaders()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/track");
        preflight.Headers.Add("Origin", ApiFactory.ShopOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,anonymousid,sentat,x-retry-count,rsa-retry-attempt");

        var response = await Anonymous().SendAsync(preflight);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe(ApiFactory.ShopOrigin);
        var allowed = string.Join(',', response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        foreach (var header in new[] { "authorization", "content-type", "anonymousid", "sentat", "x-retry-count", "rsa-retry-attempt" })
        {
            allowed.ShouldContain(header);
        }
        response.Headers.GetValues("Access-Control-Allow-Methods").Single().ShouldContain("POST");
    }

    [Fact]
    public async Task APreflightFromAnOriginNoSourceAllowsGetsNoGrant()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/t");
        preflight.Headers.Add("Origin", "https://not-a-shop.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        var response = await Anonymous().SendAsync(preflight);

        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task ABrowserCallIsKeptOnlyFromAnOriginItsSourceAllows()
    {
        var allowed = $"cors-ok-{NewId()}";
        var refused = $"cors-no-{NewId()}";
        using var fromShop = new HttpRequestMessage(HttpMethod.Post, "/v1/p") { Content = Body($$$"""{"writeKey":"{{{ApiFactory.WriteKey}}}","anonymousId":"{{{allowed}}}","name":"Home"}""") };
        fromShop.Headers.Add("Origin", ApiFactory.ShopOrigin);
        // The other tenant's source allows no origin: a page cannot send with its key.
        using var fromElsewhere = new HttpRequestMessage(HttpMethod.Post, "/v1/p") { Content = Body($$$"""{"writeKey":"{{{ApiFactory.OtherWriteKey}}}","anonymousId":"{{{refused}}}","name":"Home"}""") };
        fromElsewhere.Headers.Add("Origin", ApiFactory.ShopOrigin);

        var ok = await Anonymous().SendAsync(fromShop);
        var forbidden = await Anonymous().SendAsync(fromElsewhere);

        (await AcceptedAsync(ok)).ShouldBe(1);
        ok.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe(ApiFactory.ShopOrigin);
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("forbidden");
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?anonymousId={allowed}");
        (await api.Reader(ApiFactory.OtherReadToken).GetAsync($"/api/profiles?anonymousId={refused}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
