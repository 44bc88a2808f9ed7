using System.Globalization;
using Azure.Data.Tables;

namespace O2O.Silo.Storage;

/// <summary>
/// Lays a serialized state out over Table entities and reads it back. Azure caps a binary property
/// at 64 KiB and an entity at 1 MiB, so the payload is cut into 64 KiB properties, up to
/// <see cref="ChunksPerRow"/> per row; a state bigger than one row continues in overflow rows of the
/// same partition. Overflow rows carry a generation named by the main row, so a new version's rows
/// are written beside the old ones and the conditional write of the main row switches atomically.
/// </summary>
public static class StatePayload
{
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// 10 chunks (640 KiB) keep a row under 1 MiB even where the size is counted on the base64 wire
    /// form (Azurite does; Azure counts raw bytes).
    /// </summary>
    public const int ChunksPerRow = 10;

    public const int RowCapacity = ChunkSize * ChunksPerRow;

    /// <summary>A bound against runaway state, not a storage limit: 64 MiB is 100 overflow rows.</summary>
    public const int MaxSize = 64 * 1024 * 1024;

    public const string RowsProperty = "Rows";
    public const string SizeProperty = "Size";
    public const string FormatProperty = "Format";
    public const string GenerationProperty = "Generation";

    /// <summary>Bumped if the layout ever changes, so a reader can tell old rows from new.</summary>
    public const int CurrentFormat = 1;

    /// <summary>
    /// The main entity followed by its overflow entities; <paramref name="generation"/> names this
    /// version's overflow rows and is unused when the state fits one row.
    /// </summary>
    public static List<TableEntity> ToEntities(string partitionKey, string rowKey, ReadOnlyMemory<byte> payload, string generation)
    {
        if (payload.Length > MaxSize)
        {
            throw new InvalidOperationException($"A grain state of {payload.Length} bytes exceeds the {MaxSize} bytes allowed.");
        }
        var rows = Math.Max(1, (payload.Length + RowCapacity - 1) / RowCapacity);
        var entities = new List<TableEntity>(rows);
        for (var r = 0; r < rows; r++)
        {
            var entity = new TableEntity(partitionKey, r == 0 ? rowKey : TableKeys.OverflowRow(rowKey, generation, r));
            if (r == 0)
            {
                entity[RowsProperty] = rows;
                entity[SizeProperty] = (long)payload.Length;
                entity[FormatProperty] = CurrentFormat;
                if (rows > 1)
                {
                    entity[GenerationProperty] = generation;
                }
            }
            var rowData = payload.Slice(r * RowCapacity, Math.Min(RowCapacity, payload.Length - (r * RowCapacity)));
            for (var c = 0; c * ChunkSize < rowData.Length; c++)
            {
                entity[ChunkName(c)] = rowData.Slice(c * ChunkSize, Math.Min(ChunkSize, rowData.Length - (c * ChunkSize))).ToArray();
            }
            entities.Add(entity);
        }
        return entities;
    }

    /// <summary>How many rows (main included) the main entity says the state spans.</summary>
    public static int RowCount(TableEntity main) => main.GetInt32(RowsProperty) ?? 1;

    /// <summary>The row keys of the overflow rows the main entity names, in order.</summary>
    public static IEnumerable<string> OverflowRows(TableEntity main) =>
        Enumerable.Range(1, RowCount(main) - 1).Select(r => TableKeys.OverflowRow(main.RowKey, main.GetString(GenerationProperty) ?? "", r));

    /// <summary>A fresh generation name for a write.</summary>
    public static string NewGeneration() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>Reassembles the payload from the main entity and its overflow entities, in order.</summary>
    public static byte[] Join(TableEntity main, IReadOnlyList<TableEntity> overflow)
    {
        var size = main.GetInt64(SizeProperty) ?? throw new InvalidDataException("The stored state has no size.");
        var payload = new byte[size];
        var at = 0;
        foreach (var entity in overflow.Prepend(main))
        {
            for (var c = 0; c < ChunksPerRow && entity.GetBinary(ChunkName(c)) is { } chunk; c++)
            {
                if (at + chunk.Length > size)
                {
                    throw new InvalidDataException("The stored state is longer than its recorded size.");
                }
                chunk.CopyTo(payload, at);
                at += chunk.Length;
            }
        }
        return at == size ? payload : throw new InvalidDataException($"The stored state has {at} of its {size} bytes.");
    }

    private static string ChunkName(int index) => "D" + index.ToString("D2", CultureInfo.InvariantCulture);
}
