using Orleans.Concurrency;

namespace O2O.Grains.Leads;

/// <summary>Receives lead alerts on an Api node, which pushes them to the SignalR connections.</summary>
public interface ILeadObserver : IGrainObserver
{
    [OneWay]
    Task OnLeadNoticeAsync(LeadNotice notice);
}

/// <summary>
/// Fans lead alerts out to the Api nodes. Key: <c>0</c> (one per cluster). Nodes that share a
/// SignalR backplane are one audience: each alert goes to one of them, and the backplane carries
/// it to the others' connections; nodes without a backplane each get every alert.
/// </summary>
public interface ILeadNotifierGrain : IGrainWithIntegerKey
{
    /// <summary>Subscribes or renews a node's observer; renew well within <see cref="LeadNotifierGrain.Expiry"/>.</summary>
    Task SubscribeAsync(ILeadObserver observer, bool sharesBackplane);

    Task UnsubscribeAsync(ILeadObserver observer);

    [OneWay]
    Task PublishAsync(IReadOnlyList<LeadNotice> notices);
}
