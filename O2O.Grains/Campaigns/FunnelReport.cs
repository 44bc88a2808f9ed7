using O2O.Grains.Profiles;

namespace O2O.Grains.Campaigns;

/// <summary>One funnel step: how many reached it, what share of the step before did, how many stopped there.</summary>
[GenerateSerializer, Immutable, Alias("o2o.funnel-step")]
public sealed record FunnelStep(
    [property: Id(0)] FunnelStage Stage,
    [property: Id(1)] long Reached,
    [property: Id(2)] double? ConversionFromPrevious,
    [property: Id(3)] long DroppedOff);

/// <summary>A funnel, step by step, and the step where most people stop.</summary>
[GenerateSerializer, Immutable, Alias("o2o.funnel-report")]
public sealed record FunnelReport(
    [property: Id(0)] IReadOnlyList<FunnelStep> Steps,
    [property: Id(1)] FunnelStage? BiggestDropOff)
{
    /// <summary>Builds the report from "reached at least" counts indexed like <see cref="FunnelStages.All"/>.</summary>
    public static FunnelReport From(IReadOnlyList<long> reached)
    {
        var steps = new List<FunnelStep>(FunnelStages.Count);
        for (var i = 0; i < FunnelStages.Count; i++)
        {
            var next = i + 1 < FunnelStages.Count ? reached[i + 1] : reached[i];
            double? conversion = i == 0 ? null : reached[i - 1] == 0 ? 0 : (double)reached[i] / reached[i - 1];
            steps.Add(new FunnelStep(FunnelStages.All[i], reached[i], conversion, Math.Max(0, reached[i] - next)));
        }
        var worst = steps.Take(FunnelStages.Count - 1).MaxBy(s => s.DroppedOff);
        return new FunnelReport(steps, worst is { DroppedOff: > 0 } ? worst.Stage : null);
    }
}
