namespace O2O.Grains.Segments;

/// <summary>Turns profiles' segment changes into one call per tenant and segment.</summary>
public static class SegmentForwarding
{
    public static IEnumerable<Task> Forward(IGrainFactory grains, IEnumerable<(string Tenant, SegmentChange Change)> changes)
    {
        var moves = new Dictionary<string, List<SegmentMove>>(StringComparer.Ordinal);
        foreach (var (tenant, change) in changes)
        {
            foreach (var segment in SegmentCatalog.Each(change.Entered | change.Exited))
            {
                var key = SegmentKey.For(tenant, segment);
                if (!moves.TryGetValue(key, out var list))
                {
                    moves[key] = list = [];
                }
                list.Add(new SegmentMove(change.ProfileId, (change.Entered & segment) != 0, change.At));
            }
        }
        return moves.Select(m => grains.GetGrain<ISegmentGrain>(m.Key).RecordAsync(m.Value));
    }
}
