using Microsoft.Extensions.Options;

namespace O2O.Grains.Orders;

/// <inheritdoc cref="IOrderGrain"/>
[CollectionAgeLimit(Minutes = 5)]
public sealed class OrderGrain(
    [PersistentState("order", StorageNames.MasterData)] IPersistentState<OrderState> state,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock) : Grain, IOrderGrain
{
    private readonly StateWriter<OrderState> _writer = new(state, StorageNames.MasterData, writes);

    private string OrderId => OrderKey.Parse(this.GetPrimaryKeyString()).OrderId;

    public async Task<OrderChange> UpsertAsync(OrderUpsert upsert)
    {
        var change = OrderRules.Merge(state.State, upsert, clock.GetUtcNow());
        if (change.Kind != OrderChangeKind.Unchanged)
        {
            await _writer.WriteAsync();
        }
        return change;
    }

    public Task<OrderView?> GetAsync() => Task.FromResult(OrderRules.View(state.State, OrderId));

    public async Task<OrderIdentification> IdentifyAsync(string phonePseudonym, string maskedPhone, DateTimeOffset at)
    {
        var s = state.State;
        if (s.Order is null)
        {
            return new OrderIdentification(false, false, "the order is not known", null);
        }
        if ((s.PhonePseudonym ?? s.VerifiedPhonePseudonym) is { } owner && owner != phonePseudonym)
        {
            return new OrderIdentification(false, false, "this order already belongs to another customer", null);
        }
        var first = s.IdentifiedAt is null && !s.IdentifiedAtSale;
        s.VerifiedPhonePseudonym = phonePseudonym;
        s.MaskedPhone ??= maskedPhone;
        s.IdentifiedAt ??= at;
        await _writer.WriteAsync();
        return new OrderIdentification(true, first, null, OrderRules.View(s, OrderId));
    }

    public Task<(string? PhonePseudonym, string? EmailPseudonym)> GetContactAsync() =>
        Task.FromResult((state.State.PhonePseudonym ?? state.State.VerifiedPhonePseudonym, state.State.EmailPseudonym));

    public async Task<bool> ReviewAsync(OrderReview review)
    {
        if (state.State.Order is null || state.State.Review is not null)
        {
            return false;
        }
        state.State.Review = review;
        await _writer.WriteAsync();
        return true;
    }

    public async Task<bool> ScannedAsync(DateTimeOffset at)
    {
        if (state.State.Order is null || state.State.FirstScanAt is not null)
        {
            return false;
        }
        state.State.FirstScanAt = at;
        await _writer.WriteAsync();
        return true;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);
}
