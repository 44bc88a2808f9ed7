using O2O.Silo.Storage;

namespace O2O.Tests.Storage;

public sealed class StatePayloadTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 1)]
    [InlineData(StatePayload.RowCapacity, 1)]
    [InlineData(StatePayload.RowCapacity + 1, 2)]
    [InlineData(2 * 1024 * 1024, 4)]
    public void PayloadSplitsIntoRowsAndJoinsBack(int size, int rows)
    {
        var payload = new byte[size];
        new Random(size).NextBytes(payload);

        var entities = StatePayload.ToEntities("pk", "rk", payload, "g1");

        entities.Count.ShouldBe(rows);
        StatePayload.RowCount(entities[0]).ShouldBe(rows);
        entities.ShouldAllBe(e => e.Select(p => p.Value).OfType<byte[]>().All(chunk => chunk.Length <= 64 * 1024));
        entities.ShouldAllBe(e => e.Select(p => p.Value).OfType<byte[]>().Sum(chunk => chunk.Length) < 1024 * 1024);
        StatePayload.OverflowRows(entities[0]).ShouldBe(entities.Skip(1).Select(e => e.RowKey));
        StatePayload.Join(entities[0], entities.Skip(1).ToList()).ShouldBe(payload);
    }

    [Fact]
    public void RunawayPayloadIsRefused() =>
        Should.Throw<InvalidOperationException>(() => StatePayload.ToEntities("pk", "rk", new byte[StatePayload.MaxSize + 1], "g1"));

    [Fact]
    public void MissingOverflowRowIsDetected()
    {
        var entities = StatePayload.ToEntities("pk", "rk", new byte[StatePayload.RowCapacity + 10], "g1");

        Should.Throw<InvalidDataException>(() => StatePayload.Join(entities[0], []));
    }
}
