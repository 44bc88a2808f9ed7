using Microsoft.Extensions.Options;
using O2O.Silo.Messaging;
using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Identification;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.Loyalty;
using O2O.Grains.MasterData;
using O2O.Grains.Orders;
using O2O.Grains.Privacy;

namespace O2O.Api.Identification;

/// <summary>The answer to a request for a code: sent, or refused with why and when to retry.</summary>
public sealed record CodeRequestOutcome(bool Sent, int Status, string? Refusal, TimeSpan RetryAfter, Channel? Channel, string? MaskedPhone);

/// <summary>The answer to a code check.</summary>
public sealed record VerifyOutcome(bool Verified, int Status, string? Refusal, int AttemptsLeft, TimeSpan RetryAfter, long PointsEarned, long Balance);

/// <summary>
/// Turns an anonymous buyer into a known customer through their bill: sends a one-time code to the
/// phone they give (limited per phone and per client), and on the right code links the order and
/// its visit to that person through the ordinary event path (so identity merge rules apply),
/// credits points, and re-attributes the purchase with the person's online touches.
/// </summary>
public sealed partial class BillIdentification(
    IGrainFactory grains,
    IEventFeed feed,
    MessageSender sender,
    IOptions<OtpOptions> otp,
    IOptions<LoyaltyOptions> loyalty,
    IOptions<MessagingOptions> messaging,
    Pseudonyms pseudonyms,
    TimeProvider clock,
    ILogger<BillIdentification> logger)
{
    public static string Purpose(string orderId) => "bill:" + orderId;

    public async Task<CodeRequestOutcome> RequestCodeAsync(string tenant, string orderId, string phone, string client, CancellationToken ct)
    {
        var order = new OrderKey(tenant, orderId).In(grains);
        if (await order.GetAsync() is null)
        {
            return new CodeRequestOutcome(false, StatusCodes.Status404NotFound, "Không tìm thấy đơn hàng.", TimeSpan.Zero, null, null);
        }
        var (owner, _) = await order.GetContactAsync();
        if (owner is not null && owner != PseudonymOf(tenant, phone))
        {
            return new CodeRequestOutcome(false, StatusCodes.Status409Conflict, "Đơn hàng này đã được liên kết với một số điện thoại khác.", TimeSpan.Zero, null, null);
        }
        var o = otp.Value;
        var (allowed, wait) = await grains.GetGrain<IRateGateGrain>(TenantKey.Compose(tenant, $"otp-send/{client}")).TryTakeAsync(o.MaxSendsPerClient, o.Window);
        if (!allowed)
        {
            return new CodeRequestOutcome(false, StatusCodes.Status429TooManyRequests, "Bạn đã yêu cầu quá nhiều mã. Vui lòng thử lại sau.", wait, null, null);
        }
        var issue = await grains.GetGrain<IOtpGrain>(pseudonyms.PhoneKey(tenant, phone)).IssueAsync(Purpose(orderId));
        if (issue.Code is not { } code)
        {
            return new CodeRequestOutcome(false, StatusCodes.Status429TooManyRequests, Vietnamese(issue.Refusal), issue.RetryAfter, null, null);
        }
        foreach (var channel in messaging.Value.OtpChannels.Where(sender.Has))
        {
            var minutes = (int)o.CodeLifetime.TotalMinutes;
            var message = new OutgoingMessage
            {
                Tenant = tenant,
                Channel = channel,
                Purpose = MessagePurpose.Otp,
                To = phone,
                Text = $"{code} la ma xac nhan de nhan diem cho don {orderId}. Ma co hieu luc {minutes} phut. Khong chia se ma nay.",
                TemplateData = new Dictionary<string, string> { ["otp"] = code },
            };
            var result = await sender.SendAsync(message, orderId, ct);
            if (result.Status == DeliveryStatus.Sent)
            {
                await grains.GetGrain<IMasterDataKpiGrain>(tenant).AddOnceAsync($"otp-sent:{message.MessageId}", new KpiDelta(ReportCalendar.DayOf(clock.GetUtcNow()), Kpi.OtpSent, 1));
                return new CodeRequestOutcome(true, StatusCodes.Status202Accepted, null, issue.RetryAfter, channel, Grains.Identity.ContactPoints.MaskPhone(phone));
            }
            LogCodeNotSent(logger, channel, result.Error?.Code ?? "?");
        }
        return new CodeRequestOutcome(false, StatusCodes.Status503ServiceUnavailable, "Không gửi được mã xác nhận lúc này. Vui lòng thử lại sau.", TimeSpan.FromSeconds(30), null, null);
    }

    public async Task<VerifyOutcome> VerifyAsync(string tenant, string orderId, string phone, string code, string? anonymousId, string client, CancellationToken ct)
    {
        var o = otp.Value;
        var (allowed, wait) = await grains.GetGrain<IRateGateGrain>(TenantKey.Compose(tenant, $"otp-check/{client}")).TryTakeAsync(o.MaxChecksPerClient, o.Window);
        if (!allowed)
        {
            return new VerifyOutcome(false, StatusCodes.Status429TooManyRequests, "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau.", 0, wait, 0, 0);
        }
        var check = await grains.GetGrain<IOtpGrain>(pseudonyms.PhoneKey(tenant, phone)).VerifyAsync(Purpose(orderId), code);
        switch (check.Outcome)
        {
            case OtpOutcome.Locked:
                return new VerifyOutcome(false, StatusCodes.Status429TooManyRequests, "Bạn đã nhập sai quá nhiều lần. Số điện thoại này tạm thời bị khóa.", 0, check.RetryAfter, 0, 0);
            case OtpOutcome.Wrong:
                return new VerifyOutcome(false, StatusCodes.Status400BadRequest, $"Mã xác nhận không đúng. Bạn còn {check.AttemptsLeft} lần thử.", check.AttemptsLeft, TimeSpan.Zero, 0, 0);
            case OtpOutcome.Expired or OtpOutcome.NoCode:
                return new VerifyOutcome(false, StatusCodes.Status400BadRequest, "Mã xác nhận đã hết hạn hoặc chưa được gửi. Vui lòng yêu cầu mã mới.", check.AttemptsLeft, TimeSpan.Zero, 0, 0);
        }

        var order = new OrderKey(tenant, orderId).In(grains);
        var now = clock.GetUtcNow();
        var identification = await order.IdentifyAsync(PseudonymOf(tenant, phone), Grains.Identity.ContactPoints.MaskPhone(phone)!, now);
        if (!identification.Linked || identification.Order is not { } view)
        {
            return new VerifyOutcome(false, StatusCodes.Status409Conflict, "Đơn hàng này đã được liên kết với một số điện thoại khác.", 0, TimeSpan.Zero, 0, 0);
        }

        await PublishLinkAsync(tenant, view, phone, anonymousId, ct);
        var day = ReportCalendar.DayOf(view.PlacedAt);
        // One verification and one late identification per order, however often the shopper confirms.
        List<KpiDelivery> kpis = [new($"otp-verified:{orderId}", [new KpiDelta(ReportCalendar.DayOf(now), Kpi.OtpVerified, 1)])];
        if (identification.FirstTime && view.Source == OrderSource.Pos)
        {
            kpis.Add(new($"identified-later:{orderId}", [new KpiDelta(day, Kpi.OfflineIdentifiedLater, 1)]));
        }
        await grains.GetGrain<IMasterDataKpiGrain>(tenant).AddAsync(kpis);
        if (identification.FirstTime && !view.IsReversed())
        {
            // The sale counted as organic when nobody was known; the profile now credits it to the
            // person's touches, so the organic count gives it back.
            await grains.GetGrain<IAttributionDayGrain>(ReportCalendar.Key(tenant, day)).RecordAsync([new AttributionDayUpdate(
                // One id per order: a retried confirmation takes the organic sale back once.
                TenantKey.Compose(tenant, "~identified") + "#" + orderId,
                [new ConversionCredits(ConversionKind.Purchase, view.PlacedAt, view.StoreId ?? "online", view.Total, [], Retracted: true)], [])]);
        }

        var ledger = grains.GetGrain<ILoyaltyGrain>(pseudonyms.PhoneKey(tenant, phone));
        long earned = 0;
        if (!view.IsReversed() && await ledger.EarnAsync(new LedgerEntry(LedgerKind.OrderVerified, loyalty.Value.PointsFor(view.Total), orderId, now, view.StoreId)))
        {
            earned += loyalty.Value.PointsFor(view.Total);
        }
        if (view.Review is not null && await ledger.EarnAsync(new LedgerEntry(LedgerKind.Review, loyalty.Value.ReviewPoints, orderId, now, view.StoreId)))
        {
            earned += loyalty.Value.ReviewPoints;
        }
        var balance = (await ledger.GetAsync()).Balance;
        LogVerified(logger, tenant, identification.FirstTime);
        return new VerifyOutcome(true, StatusCodes.Status200OK, null, check.AttemptsLeft, TimeSpan.Zero, earned, balance);
    }

    /// <summary>Credits review points when the order's phone was proved already; the review itself is on the order.</summary>
    public async Task<long> ReviewPointsAsync(string tenant, OrderView view)
    {
        if (view.IdentifiedAt is null)
        {
            return 0;
        }
        var (owner, _) = await new OrderKey(tenant, view.OrderId).In(grains).GetContactAsync();
        if (owner is null)
        {
            return 0;
        }
        return await grains.GetGrain<ILoyaltyGrain>(Pseudonyms.PhoneKeyOf(tenant, owner))
            .EarnAsync(new LedgerEntry(LedgerKind.Review, loyalty.Value.ReviewPoints, view.OrderId, clock.GetUtcNow(), view.StoreId))
            ? loyalty.Value.ReviewPoints
            : 0;
    }

    /// <summary>
    /// Joins a browser to the person who owns the order, when the order's link came in a message to
    /// that person's phone: from then on the browser is tracked as them.
    /// </summary>
    public async Task<bool> JoinBrowserAsync(string tenant, string orderId, string anonymousId, CancellationToken ct)
    {
        var (owner, _) = await new OrderKey(tenant, orderId).In(grains).GetContactAsync();
        if (await OrderContacts.PhoneOfAsync(grains, tenant, owner) is not { } phone)
        {
            return false;
        }
        var admission = await feed.PublishAsync([new CustomerEvent
        {
            MessageId = $"bill-open:{orderId}:{anonymousId}",
            Tenant = tenant,
            Type = EventType.Identify,
            Timestamp = clock.GetUtcNow(),
            AnonymousId = anonymousId,
            Phone = phone,
        }], ct);
        return admission.Accepted;
    }

    private string PseudonymOf(string tenant, string phone) => pseudonyms.Of(tenant, new Identifier(IdentifierKind.Phone, phone).ToString());

    private async Task PublishLinkAsync(string tenant, OrderView view, string phone, string? anonymousId, CancellationToken ct)
    {
        // The order goes through the event path again, now naming the person: the order grain sees
        // a customer where there was none (an update, so it goes on), identity resolution finds or
        // merges the profile, and the profile credits the purchase with its touches.
        var e = new CustomerEvent
        {
            MessageId = $"bill:{view.OrderId}",
            Tenant = tenant,
            Type = EventType.Order,
            Name = SegmentEvents.OrderCompleted,
            Timestamp = view.PlacedAt,
            StoreId = view.StoreId,
            Phone = phone,
            AnonymousId = anonymousId,
            Order = new OrderInfo
            {
                OrderId = view.OrderId,
                Source = view.Source,
                Total = view.Total,
                Items = view.Items,
                CustomerName = view.CustomerName,
                Status = view.Status,
                PaymentMethod = view.PaymentMethod,
            },
        };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if ((await feed.PublishAsync([e], ct)).Accepted)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
        }
        throw new InvalidOperationException("The event feed stayed full; the order was linked but its profile update must be retried.");
    }

    private static string Vietnamese(string? refusal) => refusal switch
    {
        "a code was just sent to this phone" => "Mã vừa được gửi tới số điện thoại này. Vui lòng chờ trước khi yêu cầu lại.",
        "too many codes sent to this phone" => "Đã gửi quá nhiều mã tới số điện thoại này. Vui lòng thử lại sau.",
        "too many wrong codes for this phone" => "Bạn đã nhập sai quá nhiều lần. Số điện thoại này tạm thời bị khóa.",
        _ => "Không thể gửi mã lúc này.",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A one-time code could not be sent on {Channel}: {Code}")]
    private static partial void LogCodeNotSent(ILogger logger, Channel channel, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "A bill was verified for {Tenant} (newly identified: {FirstTime})")]
    private static partial void LogVerified(ILogger logger, string tenant, bool firstTime);
}

internal static class OrderViewExtensions
{
    public static bool IsReversed(this OrderView view) => view.Status is OrderStatus.Returned or OrderStatus.Cancelled;
}
