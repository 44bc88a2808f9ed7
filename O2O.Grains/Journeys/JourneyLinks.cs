using O2O.Grains.Events;

namespace O2O.Grains.Journeys;

/// <summary>
/// What opening a tracked link does, for the HTTP redirect and anyone else who opens links: the
/// person's journeys hear about the click, and the profile gets an event whose touch names the
/// journey as the channel, so the visits and purchases that follow are attributed to it.
/// </summary>
public static class JourneyLinks
{
    /// <summary>Touches from journeys carry this source: in attribution reports the journey is a channel.</summary>
    public const string Source = "journey";

    /// <summary>Records the click; returns where to send the browser and the event for the profile (null when the link names nobody we know).</summary>
    public static async Task<(string Url, CustomerEvent? Event)?> OpenAsync(IGrainFactory grains, LinkTarget target, DateTimeOffset now)
    {
        if (target.Link == TrackedLinks.Unsubscribe)
        {
            return null;
        }
        var person = grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(target.Tenant, target.ProfileId));
        if (await person.ClickAsync(target.Message, target.Link) is not { } click)
        {
            return null;
        }
        if (click.Phone is null && click.Email is null)
        {
            return (click.Url, null);
        }
        var e = new CustomerEvent
        {
            MessageId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"click-{target.ProfileId}-{target.Message}-{target.Link}-{now.UtcTicks}"),
            Tenant = target.Tenant,
            Type = EventType.Track,
            Name = NurtureSignals.MessageClicked,
            Timestamp = now,
            Phone = click.Phone,
            Email = click.Phone is null ? click.Email : null,
            Path = click.Url,
            Touch = new AdTouch
            {
                Source = Source,
                Medium = click.Channel.ToString().ToLowerInvariant(),
                Campaign = click.JourneyId,
                Content = click.StepId,
            },
        };
        return (click.Url, e);
    }

    /// <summary>Honours an unsubscribe link at once. Returns the channel stopped, or null for an unknown message.</summary>
    public static Task<MessageChannel?> UnsubscribeAsync(IGrainFactory grains, LinkTarget target) =>
        target.Link != TrackedLinks.Unsubscribe
            ? Task.FromResult<MessageChannel?>(null)
            : grains.GetGrain<IPersonJourneysGrain>(TenantKey.Compose(target.Tenant, target.ProfileId)).UnsubscribeAsync(target.Message);
}
