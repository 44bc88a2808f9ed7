namespace O2O.Grains.Journeys;

/// <summary>Messages on one channel and how many of them got a response.</summary>
[GenerateSerializer, Immutable, Alias("o2o.channel-tally")]
public sealed record ChannelTally([property: Id(0)] int Sent, [property: Id(1)] int Responded);

/// <summary>
/// Picks a person's master channel: the reachable channel with the highest expected response rate,
/// a Beta-Bernoulli posterior whose prior is the tenant's own response rate on that channel
/// (people like them), weighted as <c>strength</c> messages. With no history of their own a person
/// gets the tenant's best channel; their own clicks and silences move them off it. Pure.
/// </summary>
public static class MasterChannel
{
    /// <summary>The order channels win ties in: cheap and personal first.</summary>
    public static readonly MessageChannel[] Preference = [MessageChannel.Zalo, MessageChannel.Email, MessageChannel.WebPush, MessageChannel.Viber, MessageChannel.Sms];

    public static double ExpectedRate(ChannelTally? own, ChannelTally? tenant, double strength)
    {
        // The tenant rate itself starts from one response in two, so an unused channel is neither favoured nor ruled out.
        var prior = ((tenant?.Responded ?? 0) + 1.0) / ((tenant?.Sent ?? 0) + 2.0);
        var alpha = strength * prior + (own?.Responded ?? 0);
        var beta = strength * (1 - prior) + Math.Max(0, (own?.Sent ?? 0) - (own?.Responded ?? 0));
        return alpha / (alpha + beta);
    }

    public static MessageChannel? Choose(
        IEnumerable<MessageChannel> reachable,
        IReadOnlyDictionary<MessageChannel, ChannelTally> own,
        IReadOnlyDictionary<MessageChannel, ChannelTally> tenant,
        double strength)
    {
        MessageChannel? best = null;
        var bestRate = double.MinValue;
        var candidates = reachable.ToHashSet();
        foreach (var channel in Preference)
        {
            if (!candidates.Contains(channel))
            {
                continue;
            }
            var rate = ExpectedRate(own.GetValueOrDefault(channel), tenant.GetValueOrDefault(channel), strength);
            if (rate > bestRate + 1e-12)
            {
                (best, bestRate) = (channel, rate);
            }
        }
        return best;
    }
}
