using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using O2O.Grains.Ingestion;

namespace O2O.Tests.EventHubs;

/// <summary>
/// A partition nobody consumes (its silo was killed and the group has not handed it on yet) shows
/// on every silo's <c>/health</c>: the group's commit on it stops moving while messages wait.
/// </summary>
public sealed class GroupProgressHealthTests
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly IngestionHealth _health;

    public GroupProgressHealthTests() =>
        _health = new IngestionHealth(Options.Create(new ApplyPolicyOptions { StuckAfter = StuckAfter }), _clock);

    [Fact]
    public void APartitionWhoseCommitStopsWhileMessagesWaitTurnsHealthDegradedUntilItMovesAndTheStallIsMeasured()
    {
        // Partition 1 moves every sample; partition 0's owner died at the second sample.
        long moving = 100;
        Sample((100, 150), (moving, moving + 20));
        for (var s = 0; s < 13; s++)
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            moving += 40;
            Sample((120, 150 + s * 10), (moving, moving + 20));
        }

        var (degraded, description, data) = _health.Evaluate();
        degraded.ShouldBeTrue();
        description.ShouldContain("partition 0");
        description.ShouldNotContain("partition 1");
        data["stalledPartitions"].ShouldBe(1);

        // The group handed partition 0 to a survivor, which commits again.
        _clock.Advance(TimeSpan.FromSeconds(2));
        Sample((200, 290), (moving + 40, moving + 60));

        (degraded, _, data) = _health.Evaluate();
        degraded.ShouldBeFalse();
        data["lastPartitionStallMs"].ShouldBe(26_000d, "from the sample that first saw it waiting to the one that saw it move");
        data["partitionStalls"].ShouldBe(1);
    }

    [Fact]
    public void AnIdlePartitionWithNothingWaitingIsNotStalled()
    {
        for (var s = 0; s < 20; s++)
        {
            Sample((500, 500));
            _clock.Advance(TimeSpan.FromSeconds(2));
        }

        _health.Evaluate().Degraded.ShouldBeFalse();
    }

    private void Sample(params (long Committed, long End)[] partitions) =>
        _health.GroupProgress(partitions.Select((p, i) => (i, p)).ToDictionary(x => x.i, x => x.p));
}
