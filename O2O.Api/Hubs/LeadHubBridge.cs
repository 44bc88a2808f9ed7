using Microsoft.AspNetCore.SignalR;
using O2O.Grains.Leads;

namespace O2O.Api.Hubs;

/// <summary>How this Api node delivers lead alerts (section <c>O2O:LeadFeed</c>).</summary>
public sealed class LeadFeedOptions
{
    public const string Section = "O2O:LeadFeed";

    /// <summary>The connection string name of the Redis SignalR backplane; absent means this node is on its own.</summary>
    public const string BackplaneConnectionName = "redis";

    /// <summary>True when the Redis backplane is configured: any one node can reach every connection.</summary>
    public bool SharesBackplane { get; set; }
}

/// <summary>
/// The grain → hub bridge of one Api node: an observer the notifier grain calls with alerts, which
/// it sends to the team's SignalR group. Subscribes at start and renews well within the notifier's
/// expiry, so a node that restarts or loses its silo comes back by itself.
/// </summary>
public sealed partial class LeadHubBridge(
    IGrainFactory grains,
    IHubContext<LeadsHub> hub,
    Microsoft.Extensions.Options.IOptions<LeadFeedOptions> options,
    TimeProvider clock,
    ILogger<LeadHubBridge> logger) : BackgroundService, ILeadObserver
{
    private static readonly TimeSpan Renew = LeadNotifierGrain.Expiry / 4;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    public Task OnLeadNoticeAsync(LeadNotice notice) =>
        hub.Clients.Group(LeadsHub.TeamGroup(notice.Tenant, notice.Lead.Team)).SendAsync(notice.Kind.ToString(), notice.Lead);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var self = grains.CreateObjectReference<ILeadObserver>(this);
        var notifier = grains.GetGrain<ILeadNotifierGrain>(0);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = Renew;
                try
                {
                    await notifier.SubscribeAsync(self, options.Value.SharesBackplane);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSubscribeFailed(e);
                    wait = Retry;
                }
                await Task.Delay(wait, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                await notifier.UnsubscribeAsync(self).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (Exception e)
            {
                LogUnsubscribeFailed(e);
            }
            grains.DeleteObjectReference<ILeadObserver>(self);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to lead alerts failed; retrying")]
    private partial void LogSubscribeFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from lead alerts failed")]
    private partial void LogUnsubscribeFailed(Exception e);
}
