namespace O2O.Grains.Orders;

/// <summary>How a report about an order changes what is kept. Pure, so it is tested without a silo.</summary>
public static class OrderRules
{
    public static OrderChange Merge(OrderState s, OrderUpsert u, DateTimeOffset now)
    {
        var order = u.Order;
        if (s.Order is not { } known)
        {
            s.Order = order;
            s.StoreId = u.StoreId;
            s.PlacedAt = u.PlacedAt;
            s.PhonePseudonym = u.PhonePseudonym;
            s.EmailPseudonym = u.EmailPseudonym;
            s.UserPseudonym = u.UserPseudonym;
            s.MaskedPhone = u.MaskedPhone;
            s.IdentifiedAtSale = u.PhonePseudonym is not null || u.EmailPseudonym is not null || u.UserPseudonym is not null;
            s.History.Add(new OrderStatusChange(order.Status, u.PlacedAt));
            return new OrderChange(OrderChangeKind.New, s.IdentifiedAtSale);
        }

        var reversedNow = order.IsReversed && !known.IsReversed;
        var statusChanged = order.Status != known.Status;
        // A later report never forgets a customer an earlier one named (a marketplace masks phones later).
        var phone = u.PhonePseudonym ?? s.PhonePseudonym;
        var email = u.EmailPseudonym ?? s.EmailPseudonym;
        var userId = u.UserPseudonym ?? s.UserPseudonym;
        var same = !statusChanged
            && order.Total == known.Total
            && order.Items.Count == known.Items.Count
            && order.Items.SequenceEqual(known.Items)
            && order.PaymentMethod == (known.PaymentMethod ?? order.PaymentMethod)
            && phone == s.PhonePseudonym && email == s.EmailPseudonym && userId == s.UserPseudonym
            && (u.StoreId ?? s.StoreId) == s.StoreId;
        if (same)
        {
            return new OrderChange(OrderChangeKind.Unchanged, s.IdentifiedAtSale);
        }
        if (known.IsReversed && !order.IsReversed)
        {
            // A reversal is final: a late "paid" report about a returned order is history, not news.
            s.History.Add(new OrderStatusChange(order.Status, now));
            return new OrderChange(OrderChangeKind.Unchanged, s.IdentifiedAtSale);
        }
        s.Order = order with { CustomerName = order.CustomerName ?? known.CustomerName, PaymentMethod = order.PaymentMethod ?? known.PaymentMethod };
        s.StoreId = u.StoreId ?? s.StoreId;
        s.PhonePseudonym = phone;
        s.EmailPseudonym = email;
        s.UserPseudonym = userId;
        s.MaskedPhone = u.MaskedPhone ?? s.MaskedPhone;
        if (statusChanged)
        {
            s.History.Add(new OrderStatusChange(order.Status, now));
        }
        return new OrderChange(reversedNow ? OrderChangeKind.Reversed : OrderChangeKind.Updated, s.IdentifiedAtSale);
    }

    public static OrderView? View(OrderState s, string orderId)
    {
        if (s.Order is not { } o)
        {
            return null;
        }
        return new OrderView
        {
            OrderId = orderId,
            Source = o.Source,
            StoreId = s.StoreId,
            PlacedAt = s.PlacedAt,
            Total = o.Total,
            Items = o.Items,
            Status = o.Status,
            PaymentMethod = o.PaymentMethod,
            History = s.History,
            Identified = s.IdentifiedAtSale || s.IdentifiedAt is not null,
            IdentifiedAtSale = s.IdentifiedAtSale,
            IdentifiedAt = s.IdentifiedAt,
            Review = s.Review,
            MaskedPhone = s.MaskedPhone,
            CustomerName = o.CustomerName,
        };
    }
}
