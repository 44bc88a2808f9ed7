using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O2O.Grains.Consent;
using O2O.Grains.Journeys.Messaging;
using O2O.Grains.Profiles;
using O2O.Grains.Segments;
using O2O.Grains.Stores;

namespace O2O.Grains.Journeys;

[GenerateSerializer, Alias("o2o.person-journeys-state")]
public sealed class PersonJourneysState
{
    [Id(0)] public List<JourneyPlace> Places { get; set; } = [];
    /// <summary>The newest messages, sent or suppressed, oldest first (bounded).</summary>
    [Id(1)] public List<JourneyMessageRecord> Messages { get; set; } = [];
    /// <summary>The person's own messages and responses per channel.</summary>
    [Id(2)] public Dictionary<MessageChannel, ChannelTally> Channels { get; set; } = [];
    [Id(3)] public List<MessageChannel> Unsubscribed { get; set; } = [];
    [Id(4)] public int LastMessage { get; set; }
    [Id(5)] public long? DueBucket { get; set; }
    [Id(6)] public MessageChannel? Master { get; set; }
    /// <summary>The profile's newest outbox deliveries applied here, so a redelivery changes nothing.</summary>
    [Id(7)] public List<string> Observed { get; set; } = [];
}

[GenerateSerializer, Alias("o2o.journey-place")]
public sealed class JourneyPlace
{
    [Id(0)] public string JourneyId { get; set; } = "";
    [Id(1)] public string? StepId { get; set; }
    [Id(2)] public PlaceStatus Status { get; set; }
    [Id(3)] public DateTimeOffset EnteredAt { get; set; }
    /// <summary>When the place is next due (end of a wait, end of quiet hours); null: now.</summary>
    [Id(4)] public DateTimeOffset? WakeAt { get; set; }
    /// <summary>The current step is a wait that has started.</summary>
    [Id(5)] public bool Waiting { get; set; }
    [Id(6)] public int Unanswered { get; set; }
    [Id(7)] public int Clicks { get; set; }
    /// <summary>Responses since the last message, one bit per <see cref="Response"/>.</summary>
    [Id(8)] public byte Since { get; set; }
    /// <summary>Funnel steps already counted for this person: one bit per funnel step.</summary>
    [Id(9)] public byte Counted { get; set; }
}

[GenerateSerializer, Alias("o2o.journey-message-record")]
public sealed class JourneyMessageRecord
{
    [Id(0)] public int Seq { get; set; }
    [Id(1)] public string JourneyId { get; set; } = "";
    [Id(2)] public string StepId { get; set; } = "";
    [Id(3)] public MessageChannel Channel { get; set; }
    [Id(4)] public DateTimeOffset At { get; set; }
    [Id(5)] public DeliveryStatus Status { get; set; }
    [Id(6)] public SuppressReason? Reason { get; set; }
    [Id(7)] public long Cost { get; set; }
    [Id(8)] public List<string> Links { get; set; } = [];
    [Id(9)] public bool Responded { get; set; }

    public bool WentOut => Status is DeliveryStatus.Sending or DeliveryStatus.Delivered or DeliveryStatus.Failed;
}

/// <inheritdoc cref="IPersonJourneysGrain"/>
public sealed partial class PersonJourneysGrain(
    [PersistentState("journeys", StorageNames.Profiles)] IPersistentState<PersonJourneysState> state,
    IOptions<JourneyOptions> journeyOptions,
    IOptions<StoreOptions> storeOptions,
    IJourneyMessenger messenger,
    IConsentChecker consent,
    TimeProvider clock,
    ILogger<PersonJourneysGrain> logger) : Grain, IPersonJourneysGrain
{
    private const int MessagesKept = 30;
    private const int MaxStepsPerRun = 100;
    private const int ObservedKept = 16;
    private readonly JourneyOptions _options = journeyOptions.Value;
    private readonly TimeSpan _offset = storeOptions.Value.UtcOffset;
    private readonly Dictionary<string, JourneyDefinition?> _definitions = new(StringComparer.Ordinal);
    /// <summary>The wheel bucket the current run was woken by, if any.</summary>
    private long? _draining;

    private string Tenant => TenantKey.Split(this.GetPrimaryKeyString()).Tenant;

    private string ProfileId => TenantKey.Split(this.GetPrimaryKeyString()).Id;

    private ICustomerGrain Customer => GrainFactory.GetGrain<ICustomerGrain>(this.GetPrimaryKeyString());

    [Flags]
    private enum Funnel : byte
    {
        Messaged = 1,
        Clicked = 2,
        Visited = 4,
        Purchased = 8,
    }

    public async Task EnterAsync(string journeyId)
    {
        var s = state.State;
        if (s.Places.Find(p => p.JourneyId == journeyId) is { Status: PlaceStatus.Active })
        {
            return;
        }
        _definitions.Remove(journeyId);
        if (await DefinitionAsync(journeyId) is not { Active: true } definition || definition.Steps.Count == 0)
        {
            return;
        }
        if (s.Places.Count == 0)
        {
            Customer.SetNurturedAsync().Ignore();
        }
        s.Places.RemoveAll(p => p.JourneyId == journeyId);
        var place = new JourneyPlace { JourneyId = journeyId, StepId = definition.Steps[0].Id, EnteredAt = clock.GetUtcNow() };
        s.Places.Add(place);
        Tally(journeyId, new JourneyTally { Entered = 1 });
        await RunAsync(draining: null);
    }

    public Task WakeAsync(long bucket) => RunAsync(draining: bucket);

    public async Task ObserveAsync(string deliveryId, IReadOnlyList<NurtureSignal> signals)
    {
        var s = state.State;
        if (s.Observed.Contains(deliveryId))
        {
            return;
        }
        s.Observed.Add(deliveryId);
        if (s.Observed.Count > ObservedKept)
        {
            s.Observed.RemoveAt(0);
        }
        foreach (var signal in signals)
        {
            CreditResponse(signal.At);
            foreach (var p in s.Places.Where(p => p.Status == PlaceStatus.Active).ToList())
            {
                var definition = await DefinitionAsync(p.JourneyId);
                Respond(p, signal.Kind);
                var counted = (Funnel)p.Counted;
                var tally = new JourneyTally();
                if (counted.HasFlag(Funnel.Messaged))
                {
                    if (signal.Kind == Response.VisitedStore && !counted.HasFlag(Funnel.Visited))
                    {
                        tally = tally with { Visited = 1 };
                        p.Counted |= (byte)Funnel.Visited;
                    }
                    if (signal.Kind == Response.Purchased)
                    {
                        tally = tally with { Revenue = signal.Revenue, Purchased = counted.HasFlag(Funnel.Purchased) ? 0 : 1 };
                        p.Counted |= (byte)Funnel.Purchased;
                    }
                }
                var goal = definition?.Goal switch
                {
                    JourneyGoal.StoreVisit => signal.Kind == Response.VisitedStore,
                    JourneyGoal.Purchase => signal.Kind == Response.Purchased,
                    _ => false,
                };
                if (goal)
                {
                    p.Status = PlaceStatus.GoalReached;
                    p.WakeAt = null;
                    tally = tally with { GoalReached = 1 };
                }
                if (tally != new JourneyTally())
                {
                    Tally(p.JourneyId, tally);
                }
            }
        }
        await SaveAndScheduleAsync(draining: null);
    }

    public async Task<ClickResult?> ClickAsync(int message, int link)
    {
        var s = state.State;
        if (s.Messages.Find(m => m.Seq == message) is not { } record || link < 0 || link >= record.Links.Count)
        {
            return null;
        }
        CreditResponse(clock.GetUtcNow(), record);
        if (s.Places.Find(p => p.JourneyId == record.JourneyId) is { } p)
        {
            p.Clicks++;
            if (p.Status == PlaceStatus.Active)
            {
                Respond(p, Response.Clicked);
            }
            var tally = new JourneyTally();
            if (((Funnel)p.Counted & Funnel.Clicked) == 0)
            {
                p.Counted |= (byte)Funnel.Clicked;
                tally = tally with { Clicked = 1 };
            }
            if (await DefinitionAsync(p.JourneyId) is { RestartFunnelAfterClicks: > 0 } definition && p.Clicks == definition.RestartFunnelAfterClicks)
            {
                // High interest: back on the lead feed, where a consultant picks the person up.
                await Customer.RaiseNurtureLeadAsync();
                tally = tally with { Leads = 1 };
            }
            Tally(p.JourneyId, tally);
        }
        await SaveAndScheduleAsync(draining: null);
        var contact = await Customer.GetContactAsync();
        return new ClickResult(record.Links[link], record.JourneyId, record.StepId, record.Channel, contact?.Phone, contact?.Email);
    }

    public async Task<MessageChannel?> UnsubscribeAsync(int message)
    {
        var s = state.State;
        if (s.Messages.Find(m => m.Seq == message) is not { } record)
        {
            return null;
        }
        if (!s.Unsubscribed.Contains(record.Channel))
        {
            s.Unsubscribed.Add(record.Channel);
            await state.WriteStateAsync();
        }
        return record.Channel;
    }

    public async Task ForgetAsync()
    {
        if (state.State.DueBucket is { } bucket)
        {
            await GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Journeys, bucket)).RemoveAsync(ProfileId);
        }
        await state.ClearStateAsync();
        state.State = new PersonJourneysState();
    }

    public Task<PersonJourneysView> GetAsync()
    {
        var s = state.State;
        return Task.FromResult(new PersonJourneysView(
            [.. s.Places.Select(p => new JourneyPlaceView(p.JourneyId, p.StepId, p.Status, p.WakeAt, p.Unanswered))],
            [.. s.Messages.Select(m => new MessageView(m.Seq, m.JourneyId, m.StepId, m.Channel, m.At, m.Status, m.Reason, m.Cost))],
            s.Master,
            [.. s.Unsubscribed]));
    }

    private async Task RunAsync(long? draining)
    {
        _draining = draining;
        await ReconcileAsync();
        var now = clock.GetUtcNow();
        foreach (var p in state.State.Places.Where(p => p.Status == PlaceStatus.Active).ToList())
        {
            await RunPlaceAsync(p, now);
        }
        await SaveAndScheduleAsync(draining);
    }

    private async Task RunPlaceAsync(JourneyPlace p, DateTimeOffset now)
    {
        var definition = await DefinitionAsync(p.JourneyId);
        if (definition is not { Active: true })
        {
            p.Status = PlaceStatus.Stopped;
            p.WakeAt = null;
            return;
        }
        for (var i = 0; i < MaxStepsPerRun && p.Status == PlaceStatus.Active; i++)
        {
            if (p.WakeAt is { } wake && wake > now)
            {
                return;
            }
            var at = p.StepId is null ? -1 : definition.IndexOf(p.StepId);
            if (at < 0)
            {
                End(p, PlaceStatus.Finished);
                return;
            }
            var step = definition.Steps[at];
            switch (step.Type)
            {
                case StepType.Wait when !p.Waiting:
                    p.Waiting = true;
                    p.WakeAt = now + step.Duration!.Value;
                    break;
                case StepType.Wait:
                    p.Waiting = false;
                    p.WakeAt = null;
                    if (p.Unanswered >= definition.GiveUpAfter)
                    {
                        End(p, PlaceStatus.GaveUp);
                        return;
                    }
                    p.StepId = NextStep(definition, at);
                    break;
                case StepType.Branch:
                    p.StepId = step.Branches.FirstOrDefault(b => Happened(p, b.On))?.GoTo ?? NextStep(definition, at);
                    break;
                case StepType.RestartFunnel:
                    await Customer.RaiseNurtureLeadAsync();
                    Tally(p.JourneyId, new JourneyTally { Leads = 1 });
                    p.StepId = NextStep(definition, at);
                    break;
                case StepType.Send when p.Unanswered >= definition.GiveUpAfter:
                    End(p, PlaceStatus.GaveUp);
                    return;
                case StepType.Send:
                    if (await SendAsync(p, definition, step, NextStep(definition, at), now) is { } delayed)
                    {
                        p.WakeAt = delayed;
                        return;
                    }
                    break;
                default:
                    End(p, PlaceStatus.Finished);
                    return;
            }
        }
    }

    /// <summary>Sends one step's message, or records why not. Returns when to try again if it must wait.</summary>
    /// <remarks>
    /// Unless it must wait, the place moves on to <paramref name="next"/> here, and for a message that
    /// goes out that move is stored (with the message as sent) before the provider is called.
    /// </remarks>
    private async Task<DateTimeOffset?> SendAsync(JourneyPlace p, JourneyDefinition definition, JourneyStep step, string? next, DateTimeOffset now)
    {
        var s = state.State;
        var contact = await Customer.GetContactAsync();
        var channel = step.Channel == MessageChannel.Master ? await ChooseMasterAsync(contact) : step.Channel;
        SuppressReason? blocked = contact is null ? SuppressReason.NoAddress
            : channel is not { } ch ? (messenger.Channels.Any(c => contact.Reaches(c) && s.Unsubscribed.Contains(c)) ? SuppressReason.Unsubscribed : SuppressReason.NoAddress)
            : s.Unsubscribed.Contains(ch) ? SuppressReason.Unsubscribed
            : !messenger.Channels.Contains(ch) ? SuppressReason.ChannelUnavailable
            : !contact.Reaches(ch) ? SuppressReason.NoAddress
            : null;
        var consented = blocked is null && (await consent.CheckAsync(Tenant, ProfileId, ConsentPurpose.Marketing, ConsentChannelOf(channel!.Value))).Allowed;
        var verdict = blocked is { } reason
            ? new GuardVerdict(null, reason)
            : SendGuard.Check([.. s.Messages.Where(m => m.WentOut).Select(m => new SentMessage(m.At, m.JourneyId))],
                definition.Id, consented, now, _offset, _options);
        if (verdict.DelayUntil is { } until)
        {
            return until;
        }
        var record = new JourneyMessageRecord
        {
            Seq = ++s.LastMessage,
            JourneyId = definition.Id,
            StepId = step.Id,
            Channel = channel ?? step.Channel,
            At = now,
        };
        AddMessage(record);
        p.StepId = next;
        p.WakeAt = null;
        if (verdict.Suppressed is { } suppressed)
        {
            record.Status = DeliveryStatus.Suppressed;
            record.Reason = suppressed;
            Tally(definition.Id, new JourneyTally { Suppressed = suppressed });
            LogSuppressed(logger, definition.Id, step.Id, suppressed);
            return null;
        }

        record.Status = DeliveryStatus.Sending;
        record.Cost = step.Cost ?? _options.CostOf(record.Channel);
        var content = MessageComposer.Compose(step, contact!, new LinkTarget(Tenant, ProfileId, record.Seq, 0), _options);
        record.Links = [.. content.Links];
        p.Unanswered++;
        p.Since = 0;
        var first = ((Funnel)p.Counted & Funnel.Messaged) == 0;
        p.Counted |= (byte)Funnel.Messaged;
        Tally(definition.Id, new JourneyTally { Messaged = first ? 1 : 0, Messages = 1, Cost = record.Cost });
        RecordChannel(record.Channel, sent: 1, responded: 0);
        // Stored as sent, and the place on its next step due at once, before the provider is called:
        // a silo lost after this point never sends it again, and its successor's next tick goes on
        // from the next step.
        p.WakeAt = now;
        await SaveAndScheduleAsync(_draining);
        p.WakeAt = null;

        DeliveryReceipt receipt;
        try
        {
            receipt = await messenger.SendAsync(new JourneyMessage(Tenant, MessageIdOf(record.Seq), record.Channel, contact!, content, step.TemplateId), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            receipt = new DeliveryReceipt(false, null, ex.GetType().Name);
        }
        record.Status = receipt.Accepted ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
        var tally = receipt.Accepted ? new JourneyTally { Delivered = 1 } : new JourneyTally { Failed = 1 };
        if (receipt.Accepted && step.Cost is null && receipt.CostVnd is { } charged && charged != record.Cost)
        {
            // What the provider charges replaces the configured estimate.
            tally = tally with { Cost = charged - record.Cost };
            record.Cost = charged;
        }
        Tally(definition.Id, tally);
        if (!receipt.Accepted)
        {
            LogSendFailed(logger, definition.Id, step.Id, record.Channel, receipt.Error);
        }
        await state.WriteStateAsync();
        return null;
    }

    /// <summary>
    /// Messages a lost silo left as "sending" take the outcome the messaging service recorded for them
    /// (by their stable message id); with no record they stay as they are, counted as sent.
    /// </summary>
    private async Task ReconcileAsync()
    {
        foreach (var record in state.State.Messages.Where(m => m.Status == DeliveryStatus.Sending).ToList())
        {
            var outcome = await GrainFactory.GetGrain<O2O.Grains.Messaging.IMessageGrain>(TenantKey.Compose(Tenant, MessageIdOf(record.Seq))).GetAsync();
            if (outcome?.Status is "Sent" or "Delivered")
            {
                record.Status = DeliveryStatus.Delivered;
                Tally(record.JourneyId, new JourneyTally { Delivered = 1 });
            }
            else if (outcome?.Status is "Failed" or "Blocked")
            {
                record.Status = DeliveryStatus.Failed;
                Tally(record.JourneyId, new JourneyTally { Failed = 1 });
            }
        }
    }

    /// <summary>The id the messaging service records the message under (and providers deduplicate by): stable per person and message.</summary>
    private string MessageIdOf(int seq) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"journey-{ProfileId}-{seq}");

    private static ConsentChannel ConsentChannelOf(MessageChannel channel) => channel switch
    {
        MessageChannel.Email => ConsentChannel.Email,
        MessageChannel.Sms => ConsentChannel.Sms,
        MessageChannel.Zalo => ConsentChannel.Zalo,
        MessageChannel.Viber => ConsentChannel.Viber,
        MessageChannel.WebPush => ConsentChannel.WebPush,
        _ => ConsentChannel.All,
    };

    private async Task<MessageChannel?> ChooseMasterAsync(MessageContact? contact)
    {
        if (contact is null)
        {
            return null;
        }
        var s = state.State;
        var reachable = messenger.Channels.Where(c => contact.Reaches(c) && !s.Unsubscribed.Contains(c)).ToList();
        var prior = await GrainFactory.GetGrain<IChannelPriorGrain>(Tenant).GetAsync();
        var master = MasterChannel.Choose(reachable, s.Channels, prior, _options.PriorStrength);
        if (master != s.Master)
        {
            s.Master = master;
            if (master is { } m)
            {
                Customer.SetMasterChannelAsync(m).Ignore();
            }
        }
        return master;
    }

    /// <summary>A response within the window counts once, for the channel of the newest message before it.</summary>
    private void CreditResponse(DateTimeOffset at, JourneyMessageRecord? record = null)
    {
        record ??= state.State.Messages.LastOrDefault(m => m.WentOut && m.At <= at && at - m.At <= _options.ResponseWindow);
        if (record is null || record.Responded)
        {
            return;
        }
        record.Responded = true;
        RecordChannel(record.Channel, sent: 0, responded: 1);
    }

    private void RecordChannel(MessageChannel channel, int sent, int responded)
    {
        var s = state.State;
        var old = s.Channels.GetValueOrDefault(channel) ?? new ChannelTally(0, 0);
        s.Channels[channel] = new ChannelTally(old.Sent + sent, old.Responded + responded);
        GrainFactory.GetGrain<IChannelPriorGrain>(Tenant).RecordAsync(channel, sent, responded).Ignore();
    }

    private static void Respond(JourneyPlace p, Response kind)
    {
        p.Since |= (byte)(1 << (int)kind);
        p.Unanswered = 0;
    }

    private static bool Happened(JourneyPlace p, Response on) =>
        on == Response.Nothing ? p.Since == 0 : (p.Since & (1 << (int)on)) != 0;

    private void End(JourneyPlace p, PlaceStatus status)
    {
        p.Status = status;
        p.WakeAt = null;
        p.Waiting = false;
        Tally(p.JourneyId, status == PlaceStatus.GaveUp ? new JourneyTally { GaveUp = 1 } : new JourneyTally { Finished = 1 });
    }

    private static string? NextStep(JourneyDefinition d, int at) => at + 1 < d.Steps.Count ? d.Steps[at + 1].Id : null;

    private void AddMessage(JourneyMessageRecord record)
    {
        var messages = state.State.Messages;
        messages.Add(record);
        if (messages.Count > MessagesKept)
        {
            messages.RemoveAt(0);
        }
    }

    private void Tally(string journeyId, JourneyTally tally) =>
        GrainFactory.GetGrain<IJourneyGrain>(TenantKey.Compose(Tenant, journeyId)).RecordAsync(tally).Ignore();

    private async Task<JourneyDefinition?> DefinitionAsync(string journeyId)
    {
        if (!_definitions.TryGetValue(journeyId, out var definition))
        {
            definition = await GrainFactory.GetGrain<IJourneyGrain>(TenantKey.Compose(Tenant, journeyId)).GetDefinitionAsync();
            _definitions[journeyId] = definition;
        }
        return definition;
    }

    /// <summary>Stores the state and keeps exactly one wheel registration: the earliest time any place is due.</summary>
    /// <remarks>
    /// In this order, so that a silo lost at any point leaves the stored person in a bucket that holds
    /// them: joined to the new bucket, then the state naming it stored, and only then out of the old
    /// one. Leaving the old bucket first (it was one-way, beside the join) let a kill between the two
    /// store a wheel without the person and a state still naming the old bucket: nothing woke them again.
    /// At worst now both buckets hold them for a while, and the extra wake-up finds nothing due.
    /// </remarks>
    private async Task SaveAndScheduleAsync(long? draining)
    {
        var s = state.State;
        var next = s.Places.Where(p => p.Status == PlaceStatus.Active && p.WakeAt is not null).Select(p => p.WakeAt!.Value).DefaultIfEmpty().Min();
        long? bucket = next == default ? null : DueWheel.BucketOf(WheelKind.Journeys, next, _offset);
        if (draining is not null && s.DueBucket == draining)
        {
            // The bucket being run empties itself; joining it again would wait on the run that called us.
            s.DueBucket = null;
            bucket = bucket <= draining ? draining + 1 : bucket;
        }
        long? left = null;
        if (bucket != s.DueBucket)
        {
            if (bucket is { } b)
            {
                await GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Journeys, b)).AddAsync(ProfileId);
            }
            left = s.DueBucket;
            s.DueBucket = bucket;
        }
        await state.WriteStateAsync();
        if (left is { } old)
        {
            GrainFactory.GetGrain<IDueWheelGrain>(DueWheel.Key(Tenant, WheelKind.Journeys, old)).RemoveAsync(ProfileId).Ignore();
        }
        // Definitions are re-read on the next wake-up, so an edited or stopped journey takes effect.
        _definitions.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journey {JourneyId} step {StepId}: message suppressed ({Reason})")]
    private static partial void LogSuppressed(ILogger logger, string journeyId, string stepId, SuppressReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {JourneyId} step {StepId}: {Channel} provider refused the message ({Error})")]
    private static partial void LogSendFailed(ILogger logger, string journeyId, string stepId, MessageChannel channel, string? error);
}
