namespace O2O.Grains.Segments;

/// <summary>
/// What segment rules read about one person: the newest order times (oldest first), orders and
/// revenue (VND) ever (orders may exceed the times kept), and whether they came through an ad touch
/// or an offline event.
/// </summary>
public readonly record struct SegmentInputs(
    IReadOnlyList<DateTimeOffset> OrderTimes,
    int Orders,
    long Revenue,
    DateTimeOffset? LastInterestAt,
    int PromotionUses,
    int NewArrivalViews,
    int PointsActions,
    bool Identified,
    bool FromAdOrEvent);

/// <summary>
/// The segments a person is in now, and the next instant at which that could change with no new
/// event (null when only an event can change it). Membership is constant until then.
/// </summary>
public readonly record struct SegmentEvaluation(Segment Members, DateTimeOffset? NextChange);

/// <summary>The ten segment rules. Pure: the caller supplies the facts, the time and the thresholds.</summary>
public static class SegmentRules
{
    public static SegmentEvaluation Evaluate(in SegmentInputs p, DateTimeOffset now, SegmentOptions o)
    {
        var set = Segment.None;
        DateTimeOffset? next = null;
        void Boundary(DateTimeOffset at)
        {
            if (at > now && (next is null || at < next))
            {
                next = at;
            }
        }

        var times = p.OrderTimes;
        var orders = Math.Max(p.Orders, times.Count);
        DateTimeOffset? lastOrder = times.Count > 0 ? times[^1] : null;

        if (orders == 1 && times.Count == 1)
        {
            var until = times[0] + o.FirstTimeBuyerWindow;
            if (now < until)
            {
                set |= Segment.FirstTimeBuyer;
            }
            Boundary(until);
        }

        var churn = false;
        if (PurchaseCycle(times, o) is { } cycle)
        {
            var at = lastOrder!.Value + cycle * o.ChurnCycles;
            churn = now >= at;
            Boundary(at);
        }
        if (churn)
        {
            set |= Segment.ChurnRisk;
        }
        if (orders >= o.LoyalMinOrders && !churn)
        {
            set |= Segment.Loyal;
        }

        if (p.PromotionUses >= o.PromotionMinUses && p.PromotionUses >= o.PromotionMinShareOfOrders * Math.Max(orders, 1))
        {
            set |= Segment.PromotionLover;
        }
        if (p.NewArrivalViews >= o.NewArrivalMinViews)
        {
            set |= Segment.NewArrivalLover;
        }
        if (p.PointsActions >= o.PointsMinActions)
        {
            set |= Segment.PointsCollector;
        }

        if (orders > 0)
        {
            var average = p.Revenue / orders;
            set |= average >= o.ValueHighFrom ? Segment.ValueHigh : average >= o.ValueMidFrom ? Segment.ValueMid : Segment.ValueLow;

            var recent = 0;
            foreach (var t in times)
            {
                var leaves = t + o.FrequencyWindow;
                if (leaves > now)
                {
                    recent++;
                    Boundary(leaves);
                }
            }
            set |= recent >= o.FrequencyHighOrders ? Segment.FrequencyHigh : recent >= o.FrequencyMidOrders ? Segment.FrequencyMid : Segment.FrequencyLow;
        }

        if (p.LastInterestAt is { } interest && (lastOrder is null || lastOrder < interest))
        {
            var until = interest + o.BrowseWindow;
            if (now < until)
            {
                set |= Segment.BrowsedNotBought;
            }
            Boundary(until);
        }

        if (orders == 0 && p.Identified && p.FromAdOrEvent)
        {
            set |= Segment.Potential;
        }
        return new SegmentEvaluation(set, next);
    }

    /// <summary>
    /// The person's own purchase cycle: the median gap between their orders, never shorter than
    /// <see cref="SegmentOptions.MinPurchaseCycle"/>. Null with fewer than two orders (no rhythm yet).
    /// </summary>
    public static TimeSpan? PurchaseCycle(IReadOnlyList<DateTimeOffset> orderTimes, SegmentOptions o)
    {
        if (orderTimes.Count < 2)
        {
            return null;
        }
        var gaps = new TimeSpan[orderTimes.Count - 1];
        for (var i = 1; i < orderTimes.Count; i++)
        {
            gaps[i - 1] = orderTimes[i] - orderTimes[i - 1];
        }
        Array.Sort(gaps);
        var mid = gaps.Length / 2;
        var median = gaps.Length % 2 == 1 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
        return median > o.MinPurchaseCycle ? median : o.MinPurchaseCycle;
    }
}
