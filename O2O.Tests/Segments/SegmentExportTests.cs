using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using O2O.Api.Privacy;
using O2O.Api.Segments;
using O2O.Grains.Administration;
using O2O.Tests.Infrastructure;
using O2O.Tests.MasterData;

namespace O2O.Tests.Segments;

/// <summary>Segment members as CSV through the real API: contact points masked unless the caller may see them, and then audited.</summary>
public sealed class SegmentExportTests(ApiFactory api)
{
    [Fact]
    public async Task AMarketersExportMasksPhonesAndEmailsAndOnlyTheContactsScopeGetsThemInClearAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        var local = TestPhones.NewLocal();
        var phone = "+84" + local[1..];
        var email = $"chau.{Guid.NewGuid():N}"[..14] + "@khach.vn";
        var sent = await api.Writer().PostAsync("/v1/track", new StringContent($$"""
            {"anonymousId":"seg-{{local}}","event":"Product Viewed","messageId":"seg-{{local}}",
             "context":{"traits":{"phone":"{{local}}","email":"{{email}}","name":"Phạm Minh Châu"},
                        "page":{"url":"https://shop.vn/san-pham/ao-dai?utm_source=facebook&utm_medium=paid_social&utm_campaign=tet"} } }
            """, Encoding.UTF8, "application/json"), ct);
        sent.StatusCode.ShouldBe(HttpStatusCode.OK);
        var profileId = (await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone=%2B84{local[1..]}")).GetProperty("profileId").GetString()!;

        // A marketing tool's token (read, ingest): the person is in "potential", contact points masked, no name.
        string[] row = [];
        await Waits.UntilAsync(async () =>
        {
            row = Row(await CsvAsync(api.Reader(ApiFactory.MarketingToken), "/api/segments/potential/members.csv"), profileId);
            return row.Length > 0;
        }, "the new contact is exported as a member of potential");
        var masked = await CsvAsync(api.Reader(ApiFactory.MarketingToken), "/api/segments/potential/members.csv");
        masked.Split("\r\n")[0].ShouldBe("ProfileId,PhoneMasked,EmailMasked,LastStore,Orders,Revenue,MasterChannel");
        masked.ShouldNotContain(local[3..]);
        masked.ShouldNotContain(email);
        masked.ShouldNotContain("Châu");
        row[1].ShouldBe(local[..3] + "*****" + local[^2..]);
        row[2].ShouldBe(email[..1] + "***@khach.vn");

        // Asking for them in clear without the permission is refused, and says what is missing.
        using var refused = await api.Reader(ApiFactory.MarketingToken).GetAsync("/api/segments/potential/members.csv?contacts=clear", ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString()!.ShouldContain("contacts");
        using var unknown = await api.Reader(ApiFactory.MarketingToken).GetAsync("/api/segments/potential/members.csv?contacts=everything", ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // The CRM sync token has the contacts scope: clear, with the name, and the export is in the audit trail first.
        var audit = api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantAdministrationGrain>("tenant-a");
        var before = (await audit.GetAuditAsync(TenantAdministrationGrain.AuditLimit)).Count(e => e.Action == SegmentsApi.ContactsExportedAction);
        var clear = await CsvAsync(api.Reader(ApiFactory.ContactsToken), "/api/segments/potential/members.csv?contacts=clear");
        clear.Split("\r\n")[0].ShouldBe("ProfileId,Name,Phone,Email,LastStore,Orders,Revenue,MasterChannel");
        Row(clear, profileId)[1..4].ShouldBe(["Phạm Minh Châu", phone, email]);
        var exported = (await audit.GetAuditAsync(TenantAdministrationGrain.AuditLimit)).Where(e => e.Action == SegmentsApi.ContactsExportedAction).ToList();
        exported.Count.ShouldBe(before + 1);
        exported[0].Target.ShouldBe("potential");
        exported[0].Detail!.ShouldContain("members");
    }

    [Theory]
    [InlineData("+84938373812", "093*****12")]
    [InlineData("+84901234567", "090*****67")]
    [InlineData("12345", "*****")]
    [InlineData(null, null)]
    public void PhonesKeepTheirCarrierPrefixAndLastTwoDigits(string? phone, string? masked) => ContactMasking.Phone(phone).ShouldBe(masked);

    [Theory]
    [InlineData("an.nguyen@gmail.com", "a***@gmail.com")]
    [InlineData("x@y.vn", "x***@y.vn")]
    [InlineData("not-an-address", "***")]
    public void EmailsKeepOnlyTheirFirstLetterAndDomain(string email, string masked) => ContactMasking.Email(email).ShouldBe(masked);

    private static async Task<string> CsvAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/csv; charset=utf-8");
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        // Excel reads UTF-8 (Vietnamese names) only with the byte order mark.
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        return Encoding.UTF8.GetString(bytes[3..]);
    }

    private static string[] Row(string csv, string profileId) =>
        csv.Split("\r\n").FirstOrDefault(l => l.StartsWith(profileId + ",", StringComparison.Ordinal))?.Split(',') ?? [];
}
