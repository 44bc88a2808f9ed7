using System.Text.Json;
using O2O.Api.Exports;
using O2O.Grains.AdExport;
using O2O.Grains.Attribution;
using O2O.Grains.Identity;

namespace O2O.Tests.Privacy;

/// <summary>
/// Normalisation and hashing for the ad platforms, checked against hashes computed outside this code
/// (<c>printf '84901234567' | sha256sum</c>) and against the published example of the platforms' rules.
/// </summary>
public sealed class AdPlatformFormatsTests
{
    // printf '84901234567' | sha256sum
    private const string MetaPhoneHash = "f0a4b3a2d998485bc744a2e6fcb2dec760b843aba1f24a84edf4bf32c68e71d5";
    // printf '+84901234567' | sha256sum
    private const string GooglePhoneHash = "0c450d4175db5d08e888c726767096ac29c6dfa0cc8e755e42af0629a1d7ca4c";
    // printf 'nguyen.van.an@example.vn' | sha256sum
    private const string EmailHash = "11a52712470bc8411de61d76391fbaf5ece4bee45c304e47835650fc0c2e330b";

    [Theory]
    [InlineData("0901234567")]
    [InlineData("+84 90 123 4567")]
    [InlineData("84901234567")]
    [InlineData("090.123.4567")]
    public void AVietnamesePhoneHashesTheSameHoweverItWasWritten(string written)
    {
        var e164 = ContactPoints.NormalizePhone(written)!;
        AdPlatformFormats.MetaPhone(e164).ShouldBe("84901234567");
        AdPlatformFormats.Sha256(AdPlatformFormats.MetaPhone(e164)).ShouldBe(MetaPhoneHash);
        AdPlatformFormats.GooglePhone(e164).ShouldBe("+84901234567");
        AdPlatformFormats.Sha256(AdPlatformFormats.GooglePhone(e164)).ShouldBe(GooglePhoneHash);
    }

    [Theory]
    [InlineData("Nguyen.Van.An@Example.VN")]
    [InlineData("  NGUYEN.VAN.AN@EXAMPLE.VN ")]
    public void AMixedCaseEmailIsTrimmedAndLowerCasedBeforeHashing(string written) =>
        AdPlatformFormats.Sha256(AdPlatformFormats.Email(written)).ShouldBe(EmailHash);

    [Fact]
    public void ThePublishedExamplesOfTheHashingRulesHold()
    {
        // The example published with the Conversions API rules Meta's share (developers.snap.com, Conversions API
        // parameters): "Person@Example.com" -> person@example.com -> 542d2401...; "+44 844 412 4653" -> 448444124653 -> dc008fda46e2e640...
        AdPlatformFormats.Sha256(AdPlatformFormats.Email("Person@Example.com")).ShouldBe("542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345");
        var uk = ContactPoints.NormalizePhone("+44 844 412 4653")!;
        AdPlatformFormats.MetaPhone(uk).ShouldBe("448444124653");
        AdPlatformFormats.Sha256(AdPlatformFormats.MetaPhone(uk)).ShouldStartWith("dc008fda46e2e64002cf2f82a4906236282d4");
    }

    [Fact]
    public void TheMetaOfflineEventsMatchTheGoldenFile()
    {
        var json = AdPlatformFormats.MetaOfflineEvents(People());
        Pretty(json).ShouldBe(Pretty(Golden("meta-offline-events.json")));
        json.ShouldNotContain("0901234567");
        json.ShouldNotContain("nguyen.van.an", Case.Insensitive);
    }

    [Fact]
    public void TheGoogleOfflineConversionsMatchTheGoldenFile()
    {
        var csv = AdPlatformFormats.GoogleOfflineCsv(People());
        csv.ShouldBe(Golden("google-offline-conversions.csv"));
        csv.ShouldNotContain("901234567");
    }

    private static IEnumerable<AdExportPerson> People()
    {
        var visit = new DateTimeOffset(2026, 11, 20, 10, 15, 0, TimeSpan.FromHours(7));
        var click = visit.AddDays(-2);
        return
        [
            new AdExportPerson(ContactPoints.NormalizePhone("0901234567"), ContactPoints.NormalizeEmail("Nguyen.Van.An@Example.VN"),
            [
                new ConversionRecord(ConversionKind.StoreVisit, visit, "HCM01", null, 0, "checkin-1", "fbclid", "IwAR2abc", click),
                new ConversionRecord(ConversionKind.Purchase, visit.AddMinutes(20), "HCM01", "HCM01-000123", 1_500_000, "order-1", "gclid", "Cj0KCQ-test", click),
            ]),
            // Nothing to match on: left out of both files.
            new AdExportPerson(null, null, [new ConversionRecord(ConversionKind.StoreVisit, visit, "HCM02", null, 0, "checkin-2", null, null, null)]),
        ];
    }

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Privacy", "Golden", name)).ReplaceLineEndings("\n");

    private static string Pretty(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true });
}
