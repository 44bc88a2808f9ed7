using O2O.Grains.Events;

namespace O2O.Tests.Domain;

public sealed class SharedStringsTests
{
    [Fact]
    public void EqualNamesFromDifferentEventsShareOneCopy()
    {
        // Two parses of the same JSON text give two string objects; the profile should keep one.
        var first = new string("Product Viewed (shared strings test)".AsSpan());
        var second = new string("Product Viewed (shared strings test)".AsSpan());
        ReferenceEquals(first, second).ShouldBeFalse();

        ReferenceEquals(SharedStrings.Intern(first), SharedStrings.Intern(second)).ShouldBeTrue();
        SharedStrings.Intern(second).ShouldBe("Product Viewed (shared strings test)");
    }

    [Fact]
    public void LongTextIsKeptAsItCame()
    {
        var longText = new string('x', SharedStrings.MaxLength + 1);
        var copy = new string(longText.AsSpan());

        ReferenceEquals(SharedStrings.Intern(copy), copy).ShouldBeTrue();
        SharedStrings.Intern(null).ShouldBeNull();
    }
}
