using O2O.Silo.Storage;

namespace O2O.Tests.Storage;

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("tenant-a/p_1")]
    [InlineData("a\\b#c?d/e")]
    [InlineData("Trần Thị Ánh Tuyết")]
    [InlineData("~7E already escaped? %2F")]
    [InlineData("tab\tnew\nline\u0000\u007F\u009F")]
    public void EncodedKeyHasNoForbiddenCharacterAndDecodesBack(string value)
    {
        var key = TableKeys.Encode(value);

        key.ShouldNotContain('/');
        key.ShouldNotContain('\\');
        key.ShouldNotContain('#');
        key.ShouldNotContain('?');
        key.ShouldNotContain('%');
        key.Any(char.IsControl).ShouldBeFalse();
        TableKeys.Decode(key).ShouldBe(value);
    }

    [Fact]
    public void VietnameseTextStaysReadable() => TableKeys.Encode("shop/Nguyễn").ShouldBe("shop~2FNguyễn");

    [Fact]
    public void OverlongKeyIsShortenedWithoutCollisions()
    {
        var a = TableKeys.Encode(new string('x', 2000) + "a");
        var b = TableKeys.Encode(new string('x', 2000) + "b");

        a.Length.ShouldBeLessThanOrEqualTo(400);
        a.ShouldNotBe(b);
    }

    [Fact]
    public void OverflowRowsNeverCollideWithAnotherStateName()
    {
        var overflow = TableKeys.OverflowRow(TableKeys.Encode("profile"), "0a1b2c", 1);
        var (from, to) = TableKeys.OverflowRange(TableKeys.Encode("profile"));

        overflow.ShouldNotBe(TableKeys.Encode("profile~s0a1b2c~001"));
        string.CompareOrdinal(overflow, from).ShouldBeGreaterThanOrEqualTo(0);
        string.CompareOrdinal(overflow, to).ShouldBeLessThan(0);
        var otherState = TableKeys.Encode("profile~s");
        (string.CompareOrdinal(otherState, from) >= 0 && string.CompareOrdinal(otherState, to) < 0).ShouldBeFalse();
    }
}
