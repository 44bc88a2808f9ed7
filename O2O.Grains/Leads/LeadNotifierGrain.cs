using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Utilities;

namespace O2O.Grains.Leads;

/// <inheritdoc cref="ILeadNotifierGrain"/>
[Reentrant]
public sealed class LeadNotifierGrain(ILogger<LeadNotifierGrain> logger) : Grain, ILeadNotifierGrain
{
    /// <summary>An observer not renewed for this long is dropped.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(1);

    private readonly ObserverManager<ILeadObserver> _observers = new(Expiry, logger);
    private readonly HashSet<ILeadObserver> _backplane = [];
    private int _next;

    public Task SubscribeAsync(ILeadObserver observer, bool sharesBackplane)
    {
        _observers.Subscribe(observer, observer);
        if (sharesBackplane)
        {
            _backplane.Add(observer);
        }
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(ILeadObserver observer)
    {
        _observers.Unsubscribe(observer);
        _backplane.Remove(observer);
        return Task.CompletedTask;
    }

    public Task PublishAsync(IReadOnlyList<LeadNotice> notices)
    {
        _observers.ClearExpired();
        _backplane.IntersectWith(_observers.Observers.Values);
        // Rotate which backplane node relays, so no node carries all the traffic.
        var relay = _backplane.Count == 0 ? null : _backplane.ElementAt(_next++ % _backplane.Count);
        foreach (var notice in notices)
        {
            _observers.Notify(o => o.OnLeadNoticeAsync(notice), o => !_backplane.Contains(o) || ReferenceEquals(o, relay) || o.Equals(relay));
        }
        return Task.CompletedTask;
    }
}
