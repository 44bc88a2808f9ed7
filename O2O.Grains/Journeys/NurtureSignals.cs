using O2O.Grains.Events;

namespace O2O.Grains.Journeys;

/// <summary>Which events are responses a journey cares about. Pure.</summary>
public static class NurtureSignals
{
    /// <summary>A reply to a message, reported by the channel (Zalo OA, SMS inbox, email).</summary>
    public const string MessageReplied = "Message Replied";

    /// <summary>A click on a tracked link of a journey message (raised by the redirect).</summary>
    public const string MessageClicked = "Message Link Clicked";

    public static IEnumerable<NurtureSignal>? Of(CustomerEvent e)
    {
        if (e.Order is { } order)
        {
            return e.StoreId is not null && order.Source == OrderSource.Pos
                ? [new NurtureSignal(Response.VisitedStore, e.Timestamp, 0), new NurtureSignal(Response.Purchased, e.Timestamp, order.Total)]
                : [new NurtureSignal(Response.Purchased, e.Timestamp, order.Total)];
        }
        if (e.Type == EventType.CheckIn)
        {
            return [new NurtureSignal(Response.VisitedStore, e.Timestamp, 0)];
        }
        if (e.Type == EventType.Track && SegmentEvents.Is(e.Name, MessageReplied))
        {
            return [new NurtureSignal(Response.Replied, e.Timestamp, 0)];
        }
        return null;
    }
}
