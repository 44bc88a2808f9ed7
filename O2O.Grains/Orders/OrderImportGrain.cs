using Microsoft.Extensions.Options;

namespace O2O.Grains.Orders;

/// <inheritdoc cref="IOrderImportGrain"/>
public sealed class OrderImportGrain(
    [PersistentState("import", StorageNames.MasterData)] IPersistentState<ImportState> state,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock) : Grain, IOrderImportGrain
{
    /// <summary>Bad rows kept for the report; the count goes on past it.</summary>
    public const int ErrorsKept = 10_000;

    private readonly StateWriter<ImportState> _writer = new(state, StorageNames.MasterData, writes);

    public async Task<bool> StartAsync(ImportStart start)
    {
        if (state.State.View is not null)
        {
            return false;
        }
        state.State.View = new ImportView
        {
            ImportId = TenantKey.Split(this.GetPrimaryKeyString()).Id,
            Preset = start.Preset,
            Format = start.Format,
            Status = ImportStatus.Running,
            Rows = 0,
            Orders = 0,
            BadRows = 0,
            Errors = [],
            StartedAt = start.At,
        };
        await state.WriteStateAsync();
        return true;
    }

    public async Task ReportAsync(ImportProgress progress)
    {
        if (state.State.View is not { } view)
        {
            return;
        }
        var room = ErrorsKept - state.State.Errors.Count;
        if (room > 0)
        {
            state.State.Errors.AddRange(progress.Errors.Take(room));
        }
        state.State.View = view with
        {
            Rows = view.Rows + progress.Rows,
            Orders = view.Orders + progress.Orders,
            BadRows = view.BadRows + progress.Errors.Count,
        };
        await _writer.WriteAsync();
    }

    public async Task FinishAsync(ImportStatus status, string? failure)
    {
        if (state.State.View is not { } view)
        {
            return;
        }
        state.State.View = view with { Status = status, Failure = failure, FinishedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
    }

    public Task<ImportView?> GetAsync() =>
        Task.FromResult(state.State.View is { } view ? view with { Errors = [.. state.State.Errors] } : null);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);
}
