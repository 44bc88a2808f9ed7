using O2O.Grains.Attribution;
using O2O.Grains.Campaigns;
using O2O.Grains.Profiles;
using O2O.Grains.Spend;

namespace O2O.Grains.Reports;

/// <summary>
/// The marketers' reports, assembled from one call per day to the attribution read model (and one to
/// the spend grain); nothing here reads a profile.
/// </summary>
public sealed class MarketingReports(IGrainFactory grains, TimeProvider clock)
{
    /// <summary>
    /// Headline figures. Narrowed to a channel or campaign, visits and revenue are those credited to it
    /// under <paramref name="model"/>, so they add up with the attribution and store tables.
    /// </summary>
    public async Task<OverviewReport> OverviewAsync(string tenant, ReportPeriod period, ReportFilter? filter = null, AttributionModel model = AttributionModel.LastTouch)
    {
        filter ??= ReportFilter.None;
        var slices = await SlicesAsync(tenant, period, model, TouchDimension.Channel, filter);
        var spend = (await grains.GetGrain<ISpendGrain>(tenant).GetDailyAsync(period.From, period.To))
            .Where(d => filter.Channel is null || d.Channel == filter.Channel).Sum(d => d.Amount);
        var stores = slices.SelectMany(s => s.Stores).ToList();
        if (filter.ByCredit)
        {
            var credit = Merge(slices.SelectMany(s => s.Credit));
            long credited = (long)Math.Round(Units(credit.Sum(c => c.VisitCredit)));
            long creditedRevenue = credit.Sum(c => c.Revenue);
            return new OverviewReport(
                period, credited, credited, Share(credited, stores.Sum(s => s.Visits)),
                (long)Math.Round(Units(credit.Sum(c => c.PurchaseCredit))), creditedRevenue, creditedRevenue, Share(creditedRevenue, stores.Sum(s => s.Revenue)),
                spend, credited == 0 ? null : spend / credited);
        }
        long visits = stores.Sum(s => s.Visits), organic = stores.Sum(s => s.OrganicVisits);
        long revenue = stores.Sum(s => s.Revenue), organicRevenue = stores.Sum(s => s.OrganicRevenue);
        var influenced = visits - organic;
        return new OverviewReport(
            period, visits, influenced, Share(influenced, visits),
            stores.Sum(s => s.Purchases), revenue, revenue - organicRevenue, Share(revenue - organicRevenue, revenue),
            spend, influenced == 0 ? null : spend / influenced);
    }

    /// <summary>
    /// Funnels by <paramref name="scope"/>. Narrowed to a store, the store's own funnel; to a channel,
    /// the campaigns of that channel.
    /// </summary>
    public async Task<FunnelTable> FunnelAsync(string tenant, ReportPeriod period, FunnelScope scope, ReportFilter? filter = null)
    {
        filter ??= ReportFilter.None;
        if (filter.Store is not null)
        {
            scope = FunnelScope.Store;
        }
        var slices = await SlicesAsync(tenant, period, AttributionModel.LastTouch, TouchDimension.Campaign, filter with { Store = null });
        var campaigns = filter.ByCredit ? slices.SelectMany(s => s.Credit).Select(c => c.Key).ToHashSet(StringComparer.Ordinal) : null;
        var rows = slices.SelectMany(s => s.Funnels).Where(f => f.Scope == scope)
            .Where(f => scope != FunnelScope.Store || filter.Store is null || f.Id == filter.Store)
            .Where(f => scope != FunnelScope.Campaign || campaigns is null || campaigns.Contains(f.Id))
            .GroupBy(f => f.Id, StringComparer.Ordinal)
            .Select(g =>
            {
                var reached = new long[FunnelStages.Count];
                foreach (var f in g)
                {
                    for (var i = 0; i < reached.Length; i++)
                    {
                        reached[i] += f.Reached[i];
                    }
                }
                return new FunnelRow(scope, g.Key, FunnelReport.From(reached));
            })
            .OrderByDescending(r => r.Funnel.Steps.First(s => s.Stage == FunnelStage.StoreVisited).Reached)
            .ThenByDescending(r => r.Funnel.Steps[0].Reached)
            .ToList();
        return new FunnelTable(period, scope, rows);
    }

    public async Task<AttributionTable> AttributionAsync(string tenant, ReportPeriod period, AttributionModel model, TouchDimension by, ReportFilter? filter = null)
    {
        filter ??= ReportFilter.None;
        var slices = await SlicesAsync(tenant, period, model, by, filter);
        var rows = Merge(slices.SelectMany(s => s.Credit));
        var totalVisits = rows.Sum(r => r.VisitCredit);
        return new AttributionTable(
            period, model, by,
            [.. rows.OrderByDescending(r => r.VisitCredit).ThenByDescending(r => r.Revenue)
                .Select(r => new AttributionRow(r.Key, Units(r.VisitCredit), Units(r.PurchaseCredit), r.Revenue, Share(r.VisitCredit, totalVisits)))],
            // Organic visits have no channel or campaign: a table narrowed to one has none.
            filter.ByCredit ? 0 : slices.SelectMany(s => s.Stores).Sum(s => s.OrganicVisits),
            filter.ByCredit ? 0 : slices.SelectMany(s => s.Stores).Sum(s => s.OrganicPurchases));
    }

    public async Task<SpendVsResults> SpendVsResultsAsync(string tenant, ReportPeriod period, AttributionModel model)
    {
        var (slices, spend) = await SlicesWithSpendAsync(tenant, period, model);
        var credit = slices.SelectMany(s => s.VisitCreditByChannel.Select(c => (s.Day, c))).ToList();
        var channels = credit.Select(c => c.c.Key).Concat(spend.Select(s => s.Channel)).Distinct(StringComparer.Ordinal);
        var rows = channels.Select(ch =>
        {
            var mine = Merge(credit.Where(c => c.c.Key == ch).Select(c => c.c)).SingleOrDefault() ?? new CreditRow(ch, 0, 0, 0);
            var spent = spend.Where(s => s.Channel == ch).Sum(s => s.Amount);
            var visits = Units(mine.VisitCredit);
            return new SpendResultRow(ch, spent, visits, Units(mine.PurchaseCredit), mine.Revenue,
                visits >= 1 ? (long)Math.Round(spent / visits) : null,
                spent > 0 ? (double)mine.Revenue / spent : null);
        }).OrderByDescending(r => r.Spend).ThenByDescending(r => r.Visits).ToList();
        var daily = period.Each().SelectMany(day => rows.Select(r =>
        {
            var c = credit.Where(x => x.Day == day && x.c.Key == r.Channel).Select(x => x.c).ToList();
            return new SpendDay(day, r.Channel, spend.Where(s => s.Date == day && s.Channel == r.Channel).Sum(s => s.Amount),
                Units(c.Sum(x => x.VisitCredit)), c.Sum(x => x.Revenue));
        })).ToList();
        return new SpendVsResults(period, model, rows, daily);
    }

    /// <summary>Stores ranked by visits; narrowed to a channel or campaign, by the visits credited to it under <paramref name="model"/>.</summary>
    public async Task<StoreLeaderboard> StoresAsync(string tenant, ReportPeriod period, ReportFilter? filter = null, AttributionModel model = AttributionModel.LastTouch)
    {
        filter ??= ReportFilter.None;
        var slices = await SlicesAsync(tenant, period, model, TouchDimension.Store, filter);
        var totals = filter.ByCredit
            ? Merge(slices.SelectMany(s => s.Credit)).Select(c =>
                (Id: c.Key, Visits: (long)Math.Round(Units(c.VisitCredit)), Influenced: (long)Math.Round(Units(c.VisitCredit)), Purchases: (long)Math.Round(Units(c.PurchaseCredit)), c.Revenue))
            : slices.SelectMany(s => s.Stores).GroupBy(s => s.StoreId, StringComparer.Ordinal)
                .Select(g => (Id: g.Key, Visits: g.Sum(x => x.Visits), Influenced: g.Sum(x => x.Visits - x.OrganicVisits), Purchases: g.Sum(x => x.Purchases), Revenue: g.Sum(x => x.Revenue)));
        var rows = totals
            .Where(s => s.Visits > 0 || s.Revenue > 0)
            .OrderByDescending(s => s.Visits).ThenByDescending(s => s.Revenue).ThenBy(s => s.Id, StringComparer.Ordinal)
            .Select((s, i) => new StoreRow(i + 1, s.Id, s.Visits, s.Influenced, Share(s.Influenced, s.Visits), s.Purchases, s.Revenue))
            .ToList();
        return new StoreLeaderboard(period, rows);
    }

    /// <summary>
    /// "Spend <paramref name="monthlySpend"/> VND a month on <paramref name="channel"/>": fits the
    /// channel's daily credited visits and revenue against its daily spend over <paramref name="history"/>.
    /// </summary>
    public async Task<WhatIfAnswer> WhatIfAsync(string tenant, string channel, long monthlySpend, AttributionModel model, ReportPeriod history)
    {
        var (slices, spend) = await SlicesWithSpendAsync(tenant, history, model);
        var byDay = slices.ToDictionary(s => s.Day);
        var visits = new List<DailyPoint>();
        var revenue = new List<DailyPoint>();
        foreach (var day in history.Each())
        {
            var spent = spend.Where(s => s.Date == day && s.Channel == channel).Sum(s => s.Amount);
            var slice = byDay[day];
            var credit = slice.VisitCreditByChannel.FirstOrDefault(c => c.Key == channel);
            var anyData = slice.Stores.Count > 0 || spent > 0;
            if (!anyData)
            {
                // A day with neither spend nor any conversion is a day without data, not a day of zero results.
                continue;
            }
            visits.Add(new DailyPoint(day, spent, Units(credit?.VisitCredit ?? 0)));
            revenue.Add(new DailyPoint(day, spent, credit?.Revenue ?? 0));
        }
        // All stores' daily results, over complete days only (today's are still coming in).
        var today = ReportCalendar.DayOf(clock.GetUtcNow());
        var completeDays = Math.Max(1, visits.Count(v => v.Day < today));
        var totalDailyVisits = slices.Where(s => s.Day < today).Sum(s => s.Stores.Sum(x => x.Visits)) / (double)completeDays;
        var totalDailyRevenue = slices.Where(s => s.Day < today).Sum(s => s.Stores.Sum(x => x.Revenue)) / (double)completeDays;
        var breakdown = await BreakdownAsync(tenant, history, model, channel);
        return WhatIf.Answer(channel, model, monthlySpend, visits, revenue, totalDailyVisits, totalDailyRevenue, breakdown, today);
    }

    private async Task<IReadOnlyList<(TouchDimension By, string Key, double Share)>> BreakdownAsync(string tenant, ReportPeriod period, AttributionModel model, string channel)
    {
        // Content and audience shares of this channel's credit: the split of the extra visits.
        var result = new List<(TouchDimension, string, double)>();
        foreach (var by in new[] { TouchDimension.Content, TouchDimension.Audience })
        {
            var slices = await SlicesAsync(tenant, period, model, by, new ReportFilter(Channel: channel));
            var rows = Merge(slices.SelectMany(s => s.Credit));
            var total = rows.Sum(r => r.VisitCredit);
            result.AddRange(rows.Where(r => r.VisitCredit > 0).OrderByDescending(r => r.VisitCredit).Select(r => (by, r.Key, Share(r.VisitCredit, total))));
        }
        return result;
    }

    private async Task<(DaySlice[] Slices, IReadOnlyList<DailySpend> Spend)> SlicesWithSpendAsync(string tenant, ReportPeriod period, AttributionModel model)
    {
        var slices = SlicesAsync(tenant, period, model, TouchDimension.Channel);
        var spend = grains.GetGrain<ISpendGrain>(tenant).GetDailyAsync(period.From, period.To);
        return (await slices, await spend);
    }

    private Task<DaySlice[]> SlicesAsync(string tenant, ReportPeriod period, AttributionModel model, TouchDimension by, ReportFilter? filter = null) =>
        Task.WhenAll(period.Each().Select(day => grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(tenant, day))
            .GetAsync(model, by, filter?.Channel, filter?.Store, filter?.Campaign)));

    private static List<CreditRow> Merge(IEnumerable<CreditRow> rows) =>
        [.. rows.GroupBy(r => r.Key, StringComparer.Ordinal)
            .Select(g => new CreditRow(g.Key, g.Sum(r => r.VisitCredit), g.Sum(r => r.PurchaseCredit), g.Sum(r => r.Revenue)))];

    private static double Units(long credit) => (double)credit / Attributor.Scale;

    private static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
