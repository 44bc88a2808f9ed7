using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Grains.Attribution;

/// <summary>
/// Shares the credit for one conversion among the touches in its lookback window.
/// </summary>
/// <remarks>
/// Credits are whole millionths (<see cref="Scale"/>) split by largest remainder, so every
/// conversion's credits add up to exactly one and sums over many conversions do not drift with the
/// order they are added in. A touch counts when it happened no later than the conversion and no
/// earlier than its lookback (both ends inclusive). Touches are put in a total order (time, then
/// their tags) first, so the result does not depend on the order events arrived in.
/// </remarks>
public static class Attributor
{
    /// <summary>One whole conversion, in credit units.</summary>
    public const long Scale = 1_000_000;

    /// <summary>The touches eligible for a conversion at <paramref name="at"/>, oldest first.</summary>
    public static List<TouchRecord> InWindow(IEnumerable<TouchRecord> touches, DateTimeOffset at, AttributionSettings settings)
    {
        var eligible = new List<TouchRecord>();
        foreach (var t in touches)
        {
            var age = at - t.Timestamp;
            if (age >= TimeSpan.Zero && age <= (t.Touch.IsView ? settings.ViewLookback : settings.ClickLookback))
            {
                eligible.Add(t);
            }
        }
        eligible.Sort(TouchOrder.Instance);
        return eligible;
    }

    /// <summary>
    /// Credit per eligible touch (same order as <see cref="InWindow"/>), in millionths summing to
    /// <see cref="Scale"/>; empty when no touch is in the window: the conversion is organic.
    /// </summary>
    public static long[] Credit(IReadOnlyList<TouchRecord> inWindow, DateTimeOffset at, AttributionModel model, AttributionSettings settings)
    {
        var n = inWindow.Count;
        if (n == 0)
        {
            return [];
        }
        var weights = new double[n];
        switch (model)
        {
            case AttributionModel.LastTouch:
                weights[n - 1] = 1;
                break;
            case AttributionModel.FirstTouch:
                weights[0] = 1;
                break;
            case AttributionModel.Linear:
                Array.Fill(weights, 1);
                break;
            case AttributionModel.TimeDecay:
                var halfLife = settings.HalfLife.TotalSeconds;
                for (var i = 0; i < n; i++)
                {
                    weights[i] = Math.Pow(2, -(at - inWindow[i].Timestamp).TotalSeconds / halfLife);
                }
                break;
            case AttributionModel.PositionBased:
                if (n <= 2)
                {
                    Array.Fill(weights, 1);
                }
                else
                {
                    weights[0] = weights[n - 1] = 0.4;
                    for (var i = 1; i < n - 1; i++)
                    {
                        weights[i] = 0.2 / (n - 2);
                    }
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown attribution model.");
        }
        return Split(Scale, weights);
    }

    /// <summary>
    /// Splits <paramref name="total"/> into whole parts proportional to <paramref name="weights"/>,
    /// giving the units lost to rounding to the largest remainders (ties to the later part), so the
    /// parts always add up to <paramref name="total"/>.
    /// </summary>
    public static long[] Split(long total, IReadOnlyList<double> weights)
    {
        var parts = new long[weights.Count];
        if (parts.Length == 0)
        {
            return parts;
        }
        var sum = 0.0;
        foreach (var w in weights)
        {
            sum += w;
        }
        if (sum <= 0)
        {
            parts[^1] = total;
            return parts;
        }
        var remainders = new double[parts.Length];
        var given = 0L;
        for (var i = 0; i < parts.Length; i++)
        {
            var exact = total * (weights[i] / sum);
            parts[i] = (long)Math.Floor(exact);
            remainders[i] = exact - parts[i];
            given += parts[i];
        }
        // At most one unit per part is missing; hand them out largest remainder first (ties: later part).
        while (given < total)
        {
            var best = -1;
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                if (remainders[i] >= 0 && (best < 0 || remainders[i] > remainders[best]))
                {
                    best = i;
                }
            }
            parts[best]++;
            remainders[best] = -1;
            given++;
        }
        return parts;
    }

    /// <summary>Time first, then every tag, so equal-time touches still sort the same way each run.</summary>
    private sealed class TouchOrder : IComparer<TouchRecord>
    {
        public static readonly TouchOrder Instance = new();

        public int Compare(TouchRecord? x, TouchRecord? y)
        {
            var c = x!.Timestamp.UtcTicks.CompareTo(y!.Timestamp.UtcTicks);
            if (c != 0)
            {
                return c;
            }
            AdTouch a = x.Touch, b = y.Touch;
            if (ReferenceEquals(a, b))
            {
                return 0;
            }
            c = string.CompareOrdinal(a.Source, b.Source);
            c = c != 0 ? c : string.CompareOrdinal(a.Medium, b.Medium);
            c = c != 0 ? c : string.CompareOrdinal(a.Campaign, b.Campaign);
            c = c != 0 ? c : string.CompareOrdinal(a.Content, b.Content);
            c = c != 0 ? c : string.CompareOrdinal(a.Term, b.Term);
            c = c != 0 ? c : string.CompareOrdinal(a.Audience, b.Audience);
            c = c != 0 ? c : string.CompareOrdinal(a.ClickIdType, b.ClickIdType);
            if (c != 0)
            {
                return c;
            }
            return a.IsView.CompareTo(b.IsView);
        }
    }
}
