namespace O2O.Grains.Orders;

/// <summary>
/// One bulk import of order history: what it is, how far it got, and every bad row with its line
/// number and reason. The upload streams through the API; this grain is what a status call reads
/// while it runs. Key: <c>{tenant}/{import id}</c>.
/// </summary>
public interface IOrderImportGrain : IGrainWithStringKey
{
    /// <summary>Starts the import; false when an import with this id already exists.</summary>
    Task<bool> StartAsync(ImportStart start);

    /// <summary>Adds progress since the last report.</summary>
    Task ReportAsync(ImportProgress progress);

    /// <summary>Ends the import as completed or failed (with why).</summary>
    Task FinishAsync(ImportStatus status, string? failure);

    /// <summary>The import as it stands, or null when there is none.</summary>
    Task<ImportView?> GetAsync();
}

public enum ImportStatus : byte
{
    Running = 1,
    Completed = 2,
    Failed = 3,
}

[GenerateSerializer, Immutable, Alias("o2o.import-start")]
public sealed record ImportStart(
    [property: Id(0)] string Preset,
    [property: Id(1)] string Format,
    [property: Id(2)] DateTimeOffset At);

/// <summary>A row that was not imported: its line in the file (1 is the first line), the column and why.</summary>
[GenerateSerializer, Immutable, Alias("o2o.import-row-error")]
public sealed record ImportRowError(
    [property: Id(0)] long Line,
    [property: Id(1)] string Field,
    [property: Id(2)] string Reason);

[GenerateSerializer, Immutable, Alias("o2o.import-progress")]
public sealed record ImportProgress(
    [property: Id(0)] long Rows,
    [property: Id(1)] long Orders,
    [property: Id(2)] IReadOnlyList<ImportRowError> Errors,
    [property: Id(3)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("o2o.import-view")]
public sealed record ImportView
{
    [Id(0)] public required string ImportId { get; init; }
    [Id(1)] public required string Preset { get; init; }
    [Id(2)] public required string Format { get; init; }
    [Id(3)] public required ImportStatus Status { get; init; }
    /// <summary>Data rows read so far (the header is not a row).</summary>
    [Id(4)] public required long Rows { get; init; }
    /// <summary>Orders handed to the event feed (each is kept once, however often it is imported).</summary>
    [Id(5)] public required long Orders { get; init; }
    [Id(6)] public required long BadRows { get; init; }
    /// <summary>The first <see cref="OrderImportGrain.ErrorsKept"/> bad rows.</summary>
    [Id(7)] public required IReadOnlyList<ImportRowError> Errors { get; init; }
    [Id(8)] public required DateTimeOffset StartedAt { get; init; }
    [Id(9)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(10)] public string? Failure { get; init; }
}

[GenerateSerializer, Alias("o2o.import-state")]
public sealed class ImportState
{
    [Id(0)] public ImportView? View { get; set; }
    [Id(1)] public List<ImportRowError> Errors { get; set; } = [];
}
