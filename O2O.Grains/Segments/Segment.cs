namespace O2O.Grains.Segments;

/// <summary>
/// The ten customer groups of lead nurturing. Order value and purchase frequency are tiered, so
/// those two groups take three flags each; a person is in any number of segments at once.
/// </summary>
[Flags]
public enum Segment : uint
{
    None = 0,
    FirstTimeBuyer = 1 << 0,
    Loyal = 1 << 1,
    PromotionLover = 1 << 2,
    NewArrivalLover = 1 << 3,
    PointsCollector = 1 << 4,
    ValueLow = 1 << 5,
    ValueMid = 1 << 6,
    ValueHigh = 1 << 7,
    FrequencyLow = 1 << 8,
    FrequencyMid = 1 << 9,
    FrequencyHigh = 1 << 10,
    BrowsedNotBought = 1 << 11,
    ChurnRisk = 1 << 12,
    Potential = 1 << 13,
}

/// <summary>Names, labels and the list of single segments.</summary>
public static class SegmentCatalog
{
    /// <summary>Every single segment, in the order the dashboard lists them.</summary>
    public static readonly Segment[] All =
    [
        Segment.FirstTimeBuyer, Segment.Loyal, Segment.PromotionLover, Segment.NewArrivalLover, Segment.PointsCollector,
        Segment.ValueHigh, Segment.ValueMid, Segment.ValueLow, Segment.FrequencyHigh, Segment.FrequencyMid, Segment.FrequencyLow,
        Segment.BrowsedNotBought, Segment.ChurnRisk, Segment.Potential,
    ];

    /// <summary>The segment's URL and JSON name: <c>churn-risk</c>, <c>value-high</c>, ...</summary>
    public static string Slug(Segment segment) => segment switch
    {
        Segment.FirstTimeBuyer => "first-time-buyer",
        Segment.Loyal => "loyal",
        Segment.PromotionLover => "promotion-lover",
        Segment.NewArrivalLover => "new-arrival-lover",
        Segment.PointsCollector => "points-collector",
        Segment.ValueLow => "value-low",
        Segment.ValueMid => "value-mid",
        Segment.ValueHigh => "value-high",
        Segment.FrequencyLow => "frequency-low",
        Segment.FrequencyMid => "frequency-mid",
        Segment.FrequencyHigh => "frequency-high",
        Segment.BrowsedNotBought => "browsed-not-bought",
        Segment.ChurnRisk => "churn-risk",
        Segment.Potential => "potential",
        _ => throw new ArgumentOutOfRangeException(nameof(segment), segment, "not a single segment"),
    };

    /// <summary>What a Vietnamese marketer calls it.</summary>
    public static string Label(Segment segment) => segment switch
    {
        Segment.FirstTimeBuyer => "Mua lần đầu",
        Segment.Loyal => "Khách trung thành",
        Segment.PromotionLover => "Săn khuyến mãi",
        Segment.NewArrivalLover => "Thích hàng mới",
        Segment.PointsCollector => "Tích điểm",
        Segment.ValueLow => "Giá trị đơn thấp",
        Segment.ValueMid => "Giá trị đơn trung bình",
        Segment.ValueHigh => "Giá trị đơn cao",
        Segment.FrequencyLow => "Mua thưa",
        Segment.FrequencyMid => "Mua đều",
        Segment.FrequencyHigh => "Mua thường xuyên",
        Segment.BrowsedNotBought => "Xem/thêm giỏ nhưng chưa mua",
        Segment.ChurnRisk => "Có nguy cơ rời bỏ",
        Segment.Potential => "Tiềm năng (chưa mua)",
        _ => segment.ToString(),
    };

    public static bool TryParse(string? slug, out Segment segment)
    {
        foreach (var s in All)
        {
            if (string.Equals(Slug(s), slug, StringComparison.OrdinalIgnoreCase))
            {
                segment = s;
                return true;
            }
        }
        segment = Segment.None;
        return false;
    }

    /// <summary>The single segments a set of flags holds.</summary>
    public static IEnumerable<Segment> Each(Segment set)
    {
        foreach (var s in All)
        {
            if ((set & s) != 0)
            {
                yield return s;
            }
        }
    }
}
