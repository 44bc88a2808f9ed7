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
        SharedStrings.Intern("Product Viewed (shared strings test)".AsSpan()).ShouldBeSameAs(SharedStrings.Intern(first));
    }

    [Fact]
    public void LongTextIsKeptAsItCame()
    {
        var longText = new string('x', SharedStrings.MaxLength + 1);
        var copy = new string(longText.AsSpan());

        ReferenceEquals(SharedStrings.Intern(copy), copy).ShouldBeTrue();
        SharedStrings.Intern(null).ShouldBeNull();
    }

    [Fact]
    public void AFloodOfDistinctValuesNeverGrowsThePoolPastItsCapAndEqualValuesShareAgainAfter()
    {
        var pool = new StringPool(capacity: 100, maxLength: 40);
        var common = pool.Share(new string("Product Viewed".AsSpan()));

        for (var i = 0; i < 10_000; i++)
        {
            // URLs with unique query strings, as a hostile or careless sender makes them.
            pool.Share($"/p?utm_id={i}");
            pool.Count.ShouldBeLessThanOrEqualTo(100);
        }

        var first = pool.Share(new string("Product Viewed".AsSpan()));
        var second = pool.Share(new string("Product Viewed".AsSpan()));
        first.ShouldBeSameAs(second);
        first.ShouldBe(common);
    }

    [Fact]
    public void TextLongerThanTheLimitIsHandedBackUnshared()
    {
        var pool = new StringPool(capacity: 100, maxLength: 10);
        var text = new string('a', 11);

        pool.Share(text).ShouldBeSameAs(text);
        pool.Share(text.AsSpan()).ShouldNotBeSameAs(pool.Share(text.AsSpan()));
        pool.Count.ShouldBe(0);
    }

    [Fact]
    public void ASpanThatIsAlreadySharedAllocatesNothing()
    {
        var pool = new StringPool(capacity: 100, maxLength: 40);
        var shared = pool.Share("/san-pham/ao-dai");
        var url = "https://shop.vn/san-pham/ao-dai?fbclid=abc".AsSpan();
        var path = url[15..31];
        pool.Share(path).ShouldBeSameAs(shared);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            pool.Share(path);
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void ThreadsSharingTheSameValuesAllGetOneInstanceEach()
    {
        var pool = new StringPool(capacity: 1_000, maxLength: 40);
        var seen = new System.Collections.Concurrent.ConcurrentBag<(int Value, string Shared)>();

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var value = i % 50;
                seen.Add((value, pool.Share(new string($"store-{value}".AsSpan()))));
            }
        });

        foreach (var group in seen.GroupBy(s => s.Value))
        {
            group.Select(s => s.Shared).Distinct(ReferenceEqualityComparer.Instance).Count().ShouldBe(1);
        }
        pool.Count.ShouldBe(50);
    }
}
