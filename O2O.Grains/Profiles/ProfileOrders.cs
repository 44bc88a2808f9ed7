using O2O.Grains.Events;

namespace O2O.Grains.Profiles;

/// <summary>What a profile does with an order event the order step passed on.</summary>
public enum OrderAdmission : byte
{
    /// <summary>This version (or a later one) of the order was applied before: a retry or a replay.</summary>
    Seen = 1,
    /// <summary>Apply the event as given (a sale, or a reversal carrying the total that was counted).</summary>
    Apply = 2,
    /// <summary>Only the revenue moved (already applied to the totals); nothing else about the event is news.</summary>
    RevenueOnly = 3,
    /// <summary>Nothing to do for this person (a return of a sale they never had), but the version is taken.</summary>
    Nothing = 4,
}

/// <summary>
/// Applies each version of an order to a profile once, keyed by order id and version rather than by
/// message id: <c>/v1/orders</c> message ids are per order, not per report, so a return must not look
/// like a replay of its sale, and a retried batch must not count a sale twice. Pure.
/// </summary>
public static class ProfileOrders
{
    public static (OrderAdmission Admission, CustomerEvent Effective) Admit(ProfileState s, CustomerEvent e)
    {
        if (e is not { Order: { } order, OrderStep: { } step })
        {
            return (OrderAdmission.Apply, e);
        }
        var marks = s.OrderMarks ??= new Dictionary<string, OrderMark>(StringComparer.Ordinal);
        marks.TryGetValue(order.OrderId, out var mark);
        if (mark is not null && mark.Version >= step.Version)
        {
            return (OrderAdmission.Seen, e);
        }
        switch (step.Effect)
        {
            case OrderEffect.Reversal when mark is null or { Reversed: true }:
                // Never counted here (sold anonymously, say) or taken back already: nothing to take back.
                marks[order.OrderId] = new OrderMark(step.Version, 0, true);
                return (OrderAdmission.Nothing, e);
            case OrderEffect.Reversal:
                marks[order.OrderId] = new OrderMark(step.Version, 0, true);
                // Takes back what was counted, which a change since the sale may have moved.
                return (OrderAdmission.Apply, e with { Order = order with { Total = mark!.Total } });
            case OrderEffect.Change when mark is { Reversed: true }:
                marks[order.OrderId] = mark with { Version = step.Version };
                return (OrderAdmission.Nothing, e);
            case OrderEffect.Change when mark is not null:
                s.Totals.Revenue += order.Total - mark.Total;
                marks[order.OrderId] = new OrderMark(step.Version, order.Total, false);
                return (OrderAdmission.RevenueOnly, e);
            default:
                // A sale, or a change that names this person for the first time (an anonymous order
                // linked later through its bill): either way the order is new to them.
                marks[order.OrderId] = new OrderMark(step.Version, order.Total, false);
                return (OrderAdmission.Apply, e);
        }
    }

    /// <summary>Keeps the marks of a profile merged into this one, the later version of each order winning.</summary>
    public static void Absorb(ProfileState target, ProfileState source)
    {
        if (source.OrderMarks is not { Count: > 0 } theirs)
        {
            return;
        }
        var marks = target.OrderMarks ??= new Dictionary<string, OrderMark>(StringComparer.Ordinal);
        foreach (var (orderId, mark) in theirs)
        {
            if (!marks.TryGetValue(orderId, out var mine) || mine.Version < mark.Version)
            {
                marks[orderId] = mark;
            }
        }
    }
}
