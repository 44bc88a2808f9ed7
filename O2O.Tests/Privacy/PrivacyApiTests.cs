using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Api.Exports;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Privacy;

/// <summary>Consent capture, the ad-platform export and data-subject requests through the real Api.</summary>
public sealed class PrivacyApiTests(ApiFactory api)
{
    [Fact]
    public async Task TheConsentRecordProvesSourceTimeAndWording()
    {
        var phone = NewPhone();
        await ShouldAnswerAsync(HttpStatusCode.OK, api.Writer().PostAsync("/v1/consents", Json($$$$$$"""
            {"phone":"{{{{{{phone}}}}}}","messageId":"consent-proof-{{{{{{phone}}}}}}","timestamp":"2026-11-01T09:00:00+07:00",
             "source":"pos_tablet","wordingVersion":"pos-2026-10",
             "purposes":{"marketing":{"sms":true,"zalo":false},"ad_sharing":true}}
            """)));

        var consent = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/consents?phone={phone}");

        var history = consent.GetProperty("history").EnumerateArray().ToList();
        history.Count.ShouldBe(3);
        history.ShouldAllBe(r => r.GetProperty("source").GetString() == "PosTablet"
            && r.GetProperty("wordingVersion").GetString() == "pos-2026-10"
            && r.GetProperty("at").GetDateTimeOffset() == new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero)
            && r.GetProperty("evidence").GetString() == $"consent-proof-{phone}");
        history.ShouldContain(r => r.GetProperty("purpose").GetString() == "Marketing" && r.GetProperty("channel").GetString() == "Zalo" && !r.GetProperty("granted").GetBoolean());
        consent.GetProperty("current").EnumerateArray().ShouldContain(r => r.GetProperty("purpose").GetString() == "AdSharing" && r.GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task ConsentCarriedByAnIdentifyCallIsRecordedAndABadOneIsRefusedByField()
    {
        var phone = NewPhone();
        var anonymousId = "consent-" + Guid.NewGuid().ToString("N");
        (await api.Writer().PostAsync("/v1/identify", Json($$$$$$"""
            {"anonymousId":"{{{{{{anonymousId}}}}}}","traits":{"phone":"{{{{{{phone}}}}}}"},
             "context":{"consent":{"source":"web_form","wordingVersion":"web-2026-11","purposes":{"marketing":{"email":true}}}}}
            """))).EnsureSuccessStatusCode();
        var bad = await api.Writer().PostAsync("/v1/identify", Json($$$$$$"""
            {"anonymousId":"{{{{{{anonymousId}}}}}}","context":{"consent":{"source":"web_form","wordingVersion":"w","purposes":{"marketing":{"fax":true}}}}}
            """));
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("context.consent.purposes.marketing.fax");

        var consent = await Eventually.GetJsonAsync(api.Reader(), $"/api/consents?phone={phone}", c => c.GetProperty("history").GetArrayLength() == 1);
        var record = consent.GetProperty("history")[0];
        record.GetProperty("source").GetString().ShouldBe("WebForm");
        record.GetProperty("channel").GetString().ShouldBe("Email");
        record.GetProperty("wordingVersion").GetString().ShouldBe("web-2026-11");
    }

    [Fact]
    public async Task APersonWithoutConsentForSharingIsNeverInTheExport()
    {
        var (sharing, silent) = (NewPhone(), NewPhone());
        await VisitAsync(sharing, consentToSharing: true);
        await VisitAsync(silent, consentToSharing: false);

        var (meta, google) = await PrepareAndDownloadAsync();

        meta.ShouldContain(MetaHash(sharing));
        meta.ShouldNotContain(MetaHash(silent));
        google.ShouldContain(GoogleHash(sharing));
        google.ShouldNotContain(GoogleHash(silent));
    }

    [Fact]
    public async Task WithdrawalStopsAPreparedExportIncludingThatPersonAtOnce()
    {
        var phone = NewPhone();
        await VisitAsync(phone, consentToSharing: true);
        var prepared = await PrepareAsync();
        (await api.Reader().GetStringAsync(prepared.Meta)).ShouldContain(MetaHash(phone));

        (await api.Writer().PostAsync("/v1/consents", Json($$$$$$"""
            {"phone":"{{{{{{phone}}}}}}","source":"bill_qr","wordingVersion":"qr-2026-11","purposes":{"ad_sharing":false}}
            """))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The same prepared export, downloaded right after the withdrawal was acknowledged.
        (await api.Reader().GetStringAsync(prepared.Meta)).ShouldNotContain(MetaHash(phone));
        (await api.Reader().GetStringAsync(prepared.Google)).ShouldNotContain(GoogleHash(phone));
    }

    [Fact]
    public async Task APersonCanSeeCorrectAndEraseEverythingHeldAboutThemAndEachRequestIsAudited()
    {
        var phone = NewPhone();
        await VisitAsync(phone, consentToSharing: true);
        (await api.Reader().GetAsync($"/api/privacy/subjects?phone={phone}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var export = await api.Eraser().GetFromJsonAsync<JsonElement>($"/api/privacy/subjects?phone={phone}");
        var person = export.GetProperty("person");
        person.GetProperty("profile").GetProperty("identities").EnumerateArray().Select(i => i.GetString()).ShouldContain($"phone:{Normalized(phone)}");
        person.GetProperty("profile").GetProperty("traits").GetProperty("name").GetString().ShouldBe("Lê Thị Hồng");
        person.GetProperty("consents").GetArrayLength().ShouldBeGreaterThan(0);
        person.GetProperty("conversions").EnumerateArray().ShouldContain(c => c.GetProperty("kind").GetString() == "StoreVisit");
        export.GetProperty("openLead").GetProperty("team").GetString().ShouldBe("HCM01");

        var corrected = await api.Eraser().PatchAsync($"/api/privacy/subjects/traits?phone={phone}", Json("""{"traits":{"name":"Lê Thị Hồng Nhung","city":null}}"""));
        corrected.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await corrected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("traits").GetProperty("name").GetString().ShouldBe("Lê Thị Hồng Nhung");

        var erased = await api.Eraser().PostAsync($"/api/privacy/erasures?phone={phone}", null);
        erased.StatusCode.ShouldBe(HttpStatusCode.OK);
        var record = await erased.Content.ReadFromJsonAsync<JsonElement>();
        var receipt = record.GetProperty("receipt");
        receipt.GetProperty("suppressedIdentifiers").EnumerateArray().Select(i => i.GetString()).ShouldContain("phone");
        receipt.GetProperty("leadRouters").EnumerateArray().Select(i => i.GetString()).ShouldContain("HCM01");

        (await api.Reader().GetAsync($"/api/profiles?phone={phone}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Suppressed: the same phone cannot come back, not even with a consent.
        (await api.Writer().PostAsync("/v1/consents", Json($$$$$$"""{"phone":"{{{{{{phone}}}}}}","source":"pos_tablet","wordingVersion":"v","purposes":{"analytics":true}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var proof = await api.Eraser().GetFromJsonAsync<JsonElement>($"/api/privacy/erasures/{record.GetProperty("requestId").GetString()}");
        proof.GetProperty("receipt").GetProperty("erasedAt").GetDateTimeOffset().ShouldBe(receipt.GetProperty("erasedAt").GetDateTimeOffset());
        var trail = await api.Eraser().GetStringAsync("/api/privacy/requests");
        foreach (var kind in new[] { "Access", "Correction", "Erasure" })
        {
            trail.ShouldContain($"\"kind\":\"{kind}\"");
        }
        trail.ShouldNotContain(Normalized(phone));
        trail.ShouldNotContain("Hồng");
    }

    /// <summary>A tagged ad click, an identify with (or without) consent to share, a store check-in.</summary>
    private async Task VisitAsync(string phone, bool consentToSharing)
    {
        var anonymousId = "x-" + Guid.NewGuid().ToString("N");
        (await api.Writer().PostAsync("/v1/page", Json($$$$$$"""
            {"anonymousId":"{{{{{{anonymousId}}}}}}","name":"Ao dai","context":{"page":{"url":"https://shop.vn/ao-dai?utm_source=facebook&utm_campaign=privacy&fbclid=IwAR-{{{{{{anonymousId}}}}}}"}}}
            """))).EnsureSuccessStatusCode();
        var consent = consentToSharing
            ? ""","context":{"consent":{"source":"web_form","wordingVersion":"web-2026-11","purposes":{"ad_sharing":true,"marketing":{"sms":true}}}}"""
            : "";
        (await api.Writer().PostAsync("/v1/identify", Json($$$$$$"""
            {"anonymousId":"{{{{{{anonymousId}}}}}}","traits":{"phone":"{{{{{{phone}}}}}}","email":"{{{{{{anonymousId}}}}}}@Example.vn","name":"Lê Thị Hồng"}
            """.Trim() + consent + "}"))).EnsureSuccessStatusCode();
        (await api.Writer().PostAsync("/v1/checkins", Json($$$$$$"""{"storeId":"HCM01","method":"qr","phone":"{{{{{{phone}}}}}}"}"""))).EnsureSuccessStatusCode();
        // The check-in is keyed by the phone and the identify by the device, so they may be applied in either order, and a
        // merge shows the device before the identify itself is applied: wait for the identify's own effect (the name).
        await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone={phone}", p => p.GetProperty("totals").GetProperty("storeVisits").GetInt32() == 1
            && p.GetProperty("identities").EnumerateArray().Any(i => i.GetString() == "anon:" + anonymousId)
            && p.GetProperty("traits").TryGetProperty("name", out _));
    }

    private async Task<AdExportPrepared> PrepareAsync()
    {
        var response = await api.Reader().PostAsync("/api/exports/ad-conversions", Json("{}"));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<AdExportPrepared>())!;
    }

    private async Task<(string Meta, string Google)> PrepareAndDownloadAsync()
    {
        var prepared = await PrepareAsync();
        return (await api.Reader().GetStringAsync(prepared.Meta), await api.Reader().GetStringAsync(prepared.Google));
    }

    private static async Task ShouldAnswerAsync(HttpStatusCode expected, Task<HttpResponseMessage> request)
    {
        var response = await request;
        response.StatusCode.ShouldBe(expected, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A fresh valid mobile number: 090 is a Mobifone prefix (not every 09x prefix is in service).</summary>
    private static string NewPhone() => "090" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Normalized(string phone) => "+84" + phone[1..];

    private static string MetaHash(string phone) => AdPlatformFormats.Sha256("84" + phone[1..]);

    private static string GoogleHash(string phone) => AdPlatformFormats.Sha256("+84" + phone[1..]);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
