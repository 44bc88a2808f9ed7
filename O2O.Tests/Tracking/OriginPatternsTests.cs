using O2O.Api.Sources;

namespace O2O.Tests.Tracking;

public sealed class OriginPatternsTests
{
    [Theory]
    [InlineData("https://shop.vn", "https://shop.vn", true)]
    [InlineData("https://shop.vn", "https://SHOP.vn", true)]
    [InlineData("https://shop.vn", "https://shop.vn:443", true)]
    [InlineData("https://shop.vn", "https://shop.vn:8443", false)]
    [InlineData("https://shop.vn", "http://shop.vn", false)]
    [InlineData("https://shop.vn", "https://evilshop.vn", false)]
    [InlineData("https://shop.vn/", "https://shop.vn", true)]
    [InlineData("http://localhost:*", "http://localhost:5173", true)]
    [InlineData("http://localhost:*", "http://localhost", true)]
    [InlineData("http://localhost:*", "http://localhost.evil.vn:5173", false)]
    [InlineData("https://*.shop.vn", "https://m.shop.vn", true)]
    [InlineData("https://*.shop.vn", "https://a.b.shop.vn", true)]
    [InlineData("https://*.shop.vn", "https://shop.vn", false)]
    [InlineData("https://*.shop.vn", "https://notshop.vn", false)]
    [InlineData("*", "https://anything.example", true)]
    [InlineData("https://shop.vn", "null", false)]
    [InlineData("https://shop.vn", "https://shop.vn/path", false)]
    public void AnOriginMatchesOnlyThePatternsThatNameIt(string pattern, string origin, bool expected) =>
        OriginPatterns.Matches([pattern], origin).ShouldBe(expected);

    [Theory]
    [InlineData("https://shop.vn", true)]
    [InlineData("http://localhost:*", true)]
    [InlineData("https://*.shop.vn", true)]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("*", true)]
    [InlineData("shop.vn", false)]
    [InlineData("ftp://shop.vn", false)]
    [InlineData("https://shop.vn:99999", false)]
    [InlineData("https://", false)]
    public void OnlyWellFormedPatternsAreAccepted(string pattern, bool valid) =>
        OriginPatterns.IsValid(pattern).ShouldBe(valid);
}
