using O2O.Grains.Identity;

namespace O2O.Tests.Domain;

public sealed class ContactPointsTests
{
    [Theory]
    [InlineData("0901234567", "+84901234567")]
    [InlineData("+84901234567", "+84901234567")]
    [InlineData("84901234567", "+84901234567")]
    [InlineData("090 123 4567", "+84901234567")]
    [InlineData("090.123.4567", "+84901234567")]
    [InlineData("(+84) 90-123-4567", "+84901234567")]
    [InlineData("0387654321", "+84387654321")]
    [InlineData("0563456789", "+84563456789")]
    [InlineData("0771234567", "+84771234567")]
    [InlineData("0812345678", "+84812345678")]
    [InlineData("+14155552671", "+14155552671")]
    public void PhoneNumbersWrittenAnyWayBecomeOneE164Number(string written, string expected) =>
        ContactPoints.NormalizePhone(written).ShouldBe(expected);

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("090123456789012")]
    [InlineData("not a phone")]
    [InlineData("0101234567")]
    public void InvalidPhoneNumbersAreRefused(string written) =>
        ContactPoints.NormalizePhone(written).ShouldBeNull();

    [Theory]
    [InlineData("  An.Nguyen@Example.COM ", "an.nguyen@example.com")]
    [InlineData("lan@shop.vn", "lan@shop.vn")]
    public void EmailsAreTrimmedAndLowerCased(string written, string expected) =>
        ContactPoints.NormalizeEmail(written).ShouldBe(expected);

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("a@b")]
    [InlineData("two words@x.vn")]
    public void InvalidEmailsAreRefused(string written) =>
        ContactPoints.NormalizeEmail(written).ShouldBeNull();

    [Fact]
    public void StaffSeeAMaskedPhone() =>
        ContactPoints.MaskPhone("+84901234567").ShouldBe("090****567");
}
