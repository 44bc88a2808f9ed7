using O2O.Grains.Profiles;

namespace O2O.Tests.Domain;

public sealed class DedupWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DuplicateMessageIdIsRefusedInsideTheWindow()
    {
        var window = new DedupWindow();
        window.TryAdd("m1", T0).ShouldBeTrue();
        window.TryAdd("m1", T0.AddHours(47)).ShouldBeFalse();
    }

    [Fact]
    public void IdsOlderThanTheWindowAreForgotten()
    {
        var window = new DedupWindow();
        window.TryAdd("old", T0);
        window.TryAdd("new", T0 + DedupWindow.MaxAge + TimeSpan.FromMinutes(1));

        window.Contains("old").ShouldBeFalse();
        window.Contains("new").ShouldBeTrue();
    }

    [Fact]
    public void TheWindowNeverHoldsMoreThanItsBound()
    {
        var window = new DedupWindow();
        for (var i = 0; i < DedupWindow.MaxEntries * 2; i++)
        {
            window.TryAdd($"m{i}", T0);
        }
        window.Hashes.Count.ShouldBe(DedupWindow.MaxEntries);
        window.Contains($"m{DedupWindow.MaxEntries * 2 - 1}").ShouldBeTrue();
    }
}
