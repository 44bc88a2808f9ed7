namespace O2O.Grains.Attribution;

/// <summary>How the credit for one conversion is shared among the online touches before it.</summary>
public enum AttributionModel : byte
{
    /// <summary>All credit to the most recent touch in the window.</summary>
    LastTouch = 1,
    /// <summary>All credit to the oldest touch in the window.</summary>
    FirstTouch = 2,
    /// <summary>Equal credit to every touch in the window.</summary>
    Linear = 3,
    /// <summary>Credit halves for every half-life a touch lies before the conversion.</summary>
    TimeDecay = 4,
    /// <summary>40% first, 40% last, 20% shared by the touches between (U-shaped).</summary>
    PositionBased = 5,
}

public static class AttributionModels
{
    public static readonly AttributionModel[] All =
        [AttributionModel.LastTouch, AttributionModel.FirstTouch, AttributionModel.Linear, AttributionModel.TimeDecay, AttributionModel.PositionBased];
}

/// <summary>
/// Lookback windows and decay. A click (or tagged visit) counts for <see cref="ClickLookback"/>, an ad
/// view only for <see cref="ViewLookback"/>: seeing a banner is weaker evidence than clicking it.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.attribution-settings")]
public sealed record AttributionSettings
{
    public static readonly AttributionSettings Default = new();

    [Id(0)] public TimeSpan ClickLookback { get; init; } = TimeSpan.FromDays(30);
    [Id(1)] public TimeSpan ViewLookback { get; init; } = TimeSpan.FromDays(1);
    [Id(2)] public TimeSpan HalfLife { get; init; } = TimeSpan.FromDays(7);
}
