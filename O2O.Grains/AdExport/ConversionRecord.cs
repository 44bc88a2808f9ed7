using O2O.Grains.Attribution;
using O2O.Grains.Profiles;

namespace O2O.Grains.AdExport;

/// <summary>
/// A store visit or purchase as an ad platform's offline conversion upload needs it: when, where, how
/// much, and the click id of the ad click that preceded it (if any, within <see cref="ClickWindow"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.conversion-record")]
public sealed record ConversionRecord(
    [property: Id(0)] ConversionKind Kind,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string StoreId,
    [property: Id(3)] string? OrderId,
    [property: Id(4)] long Value,
    [property: Id(5)] string EventId,
    [property: Id(6)] string? ClickIdType,
    [property: Id(7)] string? ClickId,
    [property: Id(8)] DateTimeOffset? ClickAt)
{
    /// <summary>Conversions kept per profile, newest last.</summary>
    public const int Capacity = 100;

    /// <summary>How far back a click may explain a conversion: both platforms accept 90 days.</summary>
    public static readonly TimeSpan ClickWindow = TimeSpan.FromDays(90);

    /// <summary>The latest ad click before <paramref name="at"/> within the window, if any.</summary>
    public static TouchRecord? LastClick(IReadOnlyList<TouchRecord> touches, DateTimeOffset at)
    {
        for (var i = touches.Count - 1; i >= 0; i--)
        {
            var t = touches[i];
            if (t.Timestamp <= at && at - t.Timestamp <= ClickWindow && t.Touch.ClickId is not null)
            {
                return t;
            }
        }
        return null;
    }
}

/// <summary>
/// What the ad-platform export may carry for one person who agreed to sharing: normalised contact
/// points (hashed only when the file is written) and their conversions in the period.
/// </summary>
[GenerateSerializer, Immutable, Alias("o2o.ad-export-person")]
public sealed record AdExportPerson(
    [property: Id(0)] string? Phone,
    [property: Id(1)] string? Email,
    [property: Id(2)] IReadOnlyList<ConversionRecord> Conversions);
