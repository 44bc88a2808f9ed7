using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Profiles;

namespace O2O.Tests.Attribution;

/// <summary>Properties every model must keep, over random touch histories.</summary>
public sealed class AttributionPropertyTests
{
    private static readonly DateTimeOffset Conversion = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] Sources = ["facebook", "google", "tiktok", "zalo", "email"];

    /// <summary>Up to 12 touches from 40 days before to 1 day after the conversion, clicks and views.</summary>
    private static Arbitrary<TouchRecord[]> Histories() =>
        Gen.ArrayOf(
            from minutes in Gen.Choose(-24 * 60, 40 * 24 * 60)
            from source in Gen.Elements(Sources)
            from campaign in Gen.Elements("tet", "sale", "brand")
            from isView in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
            select new TouchRecord(Conversion.AddMinutes(-minutes), new AdTouch { Source = source, Campaign = campaign, IsView = isView }))
        .Select(a => a.Take(12).ToArray())
        .ToArbitrary();

    private static Arbitrary<AttributionModel> Models() => Gen.Elements(AttributionModels.All).ToArbitrary();

    [Property(MaxTest = 500)]
    public Property CreditsOfEveryAttributedConversionSumToExactlyOne() =>
        Prop.ForAll(Histories(), Models(), (touches, model) =>
        {
            var inWindow = Attributor.InWindow(touches, Conversion, AttributionSettings.Default);
            var credit = Attributor.Credit(inWindow, Conversion, model, AttributionSettings.Default);
            return inWindow.Count == 0 ? credit.Length == 0 : credit.Sum() == Attributor.Scale && credit.All(c => c >= 0);
        });

    [Property(MaxTest = 500)]
    public Property OrganicExactlyWhenNoTouchIsInItsWindow() =>
        Prop.ForAll(Histories(), touches =>
        {
            var anyInWindow = touches.Any(t =>
            {
                var age = Conversion - t.Timestamp;
                return age >= TimeSpan.Zero && age <= (t.Touch.IsView ? TimeSpan.FromDays(1) : TimeSpan.FromDays(30));
            });
            var result = ConversionAttribution.Attribute(touches, ConversionKind.StoreVisit, Conversion, "s", 0, AttributionSettings.Default);
            return result.IsOrganic == !anyInWindow;
        });

    [Fact]
    public void ResultsDoNotDependOnTheOrderEventsArrivedIn()
    {
        // Written against FsCheck's core API inside a fact as well, to show both styles run here.
        var shuffled = from touches in Histories().Generator
                       from seed in Gen.Choose(0, int.MaxValue)
                       select (touches, seed);
        Prop.ForAll(shuffled.ToArbitrary(), x =>
        {
            var random = new Random(x.seed);
            var reordered = x.touches.OrderBy(_ => random.Next()).ToArray();
            var a = ConversionAttribution.Attribute(x.touches, ConversionKind.Purchase, Conversion, "s", 999_999, AttributionSettings.Default);
            var b = ConversionAttribution.Attribute(reordered, ConversionKind.Purchase, Conversion, "s", 999_999, AttributionSettings.Default);
            return a.Credits.SequenceEqual(b.Credits);
        }).QuickCheckThrowOnFailure();
    }

    [Property(MaxTest = 300)]
    public Property RevenueSplitsAddUpToTheOrderTotal() =>
        Prop.ForAll(Histories(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (touches, total) =>
        {
            var result = ConversionAttribution.Attribute(touches, ConversionKind.Purchase, Conversion, "s", total, AttributionSettings.Default);
            return result.IsOrganic || AttributionModels.All.All(m => result.Credits.Where(c => c.Model == m).Sum(c => c.Revenue) == total);
        });
}
