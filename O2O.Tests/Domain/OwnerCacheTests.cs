using O2O.Grains.Identity;

namespace O2O.Tests.Domain;

public sealed class OwnerCacheTests
{
    [Fact]
    public void AnOwnerInUseStaysCachedAsTheCacheTurnsOverWhileOneNobodyAsksForIsForgotten()
    {
        var cache = new OwnerCache(capacity: 100);
        cache.Set("t/anon:active", "p_active");
        cache.Set("t/phone:idle", "p_idle");

        // A flood of new visitors, many times the capacity; the active person keeps sending events.
        for (var i = 0; i < 1_000; i++)
        {
            cache.Set($"t/anon:new-{i}", $"p_{i}");
            if (i % 20 == 0)
            {
                cache.TryGet("t/anon:active", out _).ShouldBeTrue();
            }
            cache.Count.ShouldBeLessThanOrEqualTo(100);
        }

        cache.TryGet("t/anon:active", out var active).ShouldBeTrue();
        active.ShouldBe("p_active");
        cache.TryGet("t/phone:idle", out _).ShouldBeFalse();
    }

    [Fact]
    public void ANewOwnerReplacesTheOneCachedAndAForgottenKeyIsGoneFromBothGenerations()
    {
        var cache = new OwnerCache(capacity: 10);
        cache.Set("t/anon:a", "p_old");
        for (var i = 0; i < 5; i++)
        {
            cache.Set($"t/anon:{i}", $"p_{i}");
        }
        // "a" now sits in the previous generation: a merge moves it on.
        cache.Set("t/anon:a", "p_merged");
        cache.TryGet("t/anon:a", out var owner).ShouldBeTrue();
        owner.ShouldBe("p_merged");

        cache.Set("t/anon:b", "p_b");
        for (var i = 5; i < 9; i++)
        {
            cache.Set($"t/anon:{i}", $"p_{i}");
        }
        // Both now sit in the previous generation; asking for "a" copies it into the current one too.
        cache.TryGet("t/anon:a", out _).ShouldBeTrue();
        // An erasure forgets them wherever they are.
        cache.Remove("t/anon:a");
        cache.Remove("t/anon:b");
        cache.TryGet("t/anon:a", out _).ShouldBeFalse();
        cache.TryGet("t/anon:b", out _).ShouldBeFalse();
    }

    [Fact]
    public void KeysThatDifferOnlyInTenantOrKindAreDifferentEntries()
    {
        var cache = new OwnerCache(capacity: 100);
        cache.Set("shop-a/phone:abc", "p_a");
        cache.Set("shop-b/phone:abc", "p_b");
        cache.Set("shop-a/email:abc", "p_c");

        cache.TryGet("shop-a/phone:abc", out var a).ShouldBeTrue();
        cache.TryGet("shop-b/phone:abc", out var b).ShouldBeTrue();
        cache.TryGet("shop-a/email:abc", out var c).ShouldBeTrue();
        (a, b, c).ShouldBe(("p_a", "p_b", "p_c"));
        cache.TryGet("shop-c/phone:abc", out _).ShouldBeFalse();
    }
}
