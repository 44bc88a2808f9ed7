using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using O2O.Silo.Messaging;
using O2O.Grains;
using O2O.Grains.Attribution;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using O2O.Grains.MasterData;
using O2O.Grains.Orders;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;
using O2O.Grains.Vouchers;

namespace O2O.Api.Vouchers;

/// <summary>Referral vouchers (section <c>O2O:Referrals</c>).</summary>
public sealed class ReferralOptions
{
    public const string Section = "O2O:Referrals";

    [Range(0, 100_000_000)] public long FirstOrderAmount { get; set; } = 100_000;
    [Range(0, 100)] public int NextOrderPercent { get; set; } = 10;
    [Range(0, 1_000_000_000)] public long MinimumOrder { get; set; }
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")] public TimeSpan ValidFor { get; set; } = TimeSpan.FromDays(30);
    /// <summary>Invitations one person may send per calendar month.</summary>
    [Range(1, 1000)] public int MonthlyCapPerSender { get; set; } = 5;
}

/// <summary>A referral decision: sent or not, with a reason code and the words the shopper sees.</summary>
public sealed record ReferralDecision(bool Sent, string ReasonCode, string Reason, string? MaskedRecipient = null, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// After reviewing a verified order, the shopper invites a relative: the relative gets a welcome
/// voucher in a message that names the sender (masked phone), because a message from a relative is
/// trusted. Guards: the sender proved their phone on this order, never to oneself or to someone who
/// has bought already, one welcome voucher per recipient ever, a monthly cap per sender. The
/// voucher is also an online touch of the "referral" channel for the recipient, so what they buy
/// later is attributed to it.
/// </summary>
public sealed partial class Referrals(
    IGrainFactory grains,
    IEventFeed feed,
    MessageSender sender,
    IOptions<ReferralOptions> options,
    Pseudonyms pseudonyms,
    TimeProvider clock,
    ILogger<Referrals> logger)
{
    public async Task<ReferralDecision> InviteAsync(string tenant, string orderId, string recipient, CancellationToken ct)
    {
        var order = new OrderKey(tenant, orderId).In(grains);
        var view = await order.GetAsync();
        var (senderPseudonym, _) = await order.GetContactAsync();
        var senderPhone = await O2O.Api.Identification.OrderContacts.PhoneOfAsync(grains, tenant, senderPseudonym);
        if (view?.IdentifiedAt is null || senderPhone is null)
        {
            return Refuse("not-verified", "Vui lòng xác nhận số điện thoại của bạn trước khi gửi quà cho người thân.");
        }
        if (recipient == senderPhone)
        {
            return Refuse("self", "Bạn không thể gửi voucher cho chính mình.");
        }
        var recipientProfile = await ProfileOfAsync(tenant, recipient);
        if (recipientProfile is { Totals.Orders: > 0 })
        {
            return Refuse("existing-buyer", "Người nhận đã là khách hàng của cửa hàng; voucher chào mừng chỉ dành cho khách mới.");
        }
        var o = options.Value;
        var now = clock.GetUtcNow();
        var senderBook = grains.GetGrain<IReferralGrain>(pseudonyms.PhoneKey(tenant, senderPhone));
        if (!await senderBook.TrySendAsync(o.MonthlyCapPerSender, now))
        {
            return Refuse("monthly-cap", $"Bạn đã gửi đủ {o.MonthlyCapPerSender} voucher trong tháng này.");
        }
        var code = NewCode();
        var (claimed, _) = await grains.GetGrain<IReferralGrain>(pseudonyms.PhoneKey(tenant, recipient)).TryReceiveAsync(code);
        if (!claimed)
        {
            await senderBook.ReleaseAsync(now, null);
            return Refuse("already-invited", "Người nhận đã được tặng voucher chào mừng trước đó.");
        }

        var expires = now + o.ValidFor;
        // The voucher names both people by their phones' pseudonyms and masked phones, never in clear.
        await grains.GetGrain<IVoucherGrain>(TenantKey.Compose(tenant, code)).IssueAsync(new VoucherTerms(
            o.FirstOrderAmount, o.NextOrderPercent, o.MinimumOrder, expires,
            PseudonymOf(tenant, recipient), senderPseudonym, now,
            ReferralText.MaskTail(recipient), ReferralText.MaskTail(senderPhone)));
        await senderBook.SentAsync(code);
        var senderName = (await ProfileOfAsync(tenant, senderPhone))?.Traits.GetValueOrDefault("name") ?? view.CustomerName ?? "Người thân của bạn";
        var text = ReferralText.Message(senderName, senderPhone, o.FirstOrderAmount, o.NextOrderPercent, expires, code);
        var delivered = false;
        foreach (var channel in new[] { Channel.Zns, Channel.Sms }.Where(sender.Has))
        {
            var result = await sender.SendAsync(new OutgoingMessage
            {
                Tenant = tenant,
                Channel = channel,
                Purpose = MessagePurpose.Referral,
                To = recipient,
                Text = text,
                TemplateData = new Dictionary<string, string>
                {
                    ["sender"] = $"{senderName} ({ReferralText.MaskTail(senderPhone)})",
                    ["voucher_value"] = ReferralText.Vnd(o.FirstOrderAmount),
                    ["expiry"] = ReferralText.Day(expires),
                    ["code"] = code,
                },
            }, orderId, ct);
            if (result.Status == DeliveryStatus.Sent)
            {
                delivered = true;
                break;
            }
            if (result.Status == DeliveryStatus.Blocked)
            {
                break;
            }
        }
        if (!delivered)
        {
            await senderBook.ReleaseAsync(now, null);
            await grains.GetGrain<IReferralGrain>(pseudonyms.PhoneKey(tenant, recipient)).ReleaseAsync(now, code);
            return Refuse("not-delivered", "Không gửi được tin nhắn tới người nhận lúc này.");
        }

        await feed.PublishAsync([new CustomerEvent
        {
            MessageId = $"referral:{code}",
            Tenant = tenant,
            Type = EventType.Track,
            Name = "Referral Voucher Received",
            Timestamp = now,
            Phone = recipient,
            Touch = new AdTouch { Source = "referral", Medium = "voucher", Campaign = "referral-welcome" },
        }], ct);
        await grains.GetGrain<IMasterDataKpiGrain>(tenant).AddOnceAsync($"referral-sent:{code}", new KpiDelta(ReportCalendar.DayOf(now), Kpi.ReferralsSent, 1));
        LogInvited(logger, tenant);
        return new ReferralDecision(true, "sent", $"Đã gửi voucher tới {ReferralText.MaskTail(recipient)}.", ReferralText.MaskTail(recipient), expires);
    }

    private string PseudonymOf(string tenant, string phone) => pseudonyms.Of(tenant, new Identifier(IdentifierKind.Phone, phone).ToString());

    private Task<ProfileView?> ProfileOfAsync(string tenant, string phone) =>
        grains.ProfileOfAsync(tenant, new Identifier(IdentifierKind.Phone, phone), pseudonyms);

    private ReferralDecision Refuse(string code, string reason)
    {
        LogRefused(logger, code);
        return new ReferralDecision(false, code, reason);
    }

    private static string NewCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "GT" + string.Create(10, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A referral voucher was sent for {Tenant}")]
    private static partial void LogInvited(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Information, Message = "A referral was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}

/// <summary>The words of a referral message.</summary>
public static class ReferralText
{
    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>"Kha, Tuấn (09383738xx) tặng bạn voucher 100.000đ cho đơn đầu tiên và giảm 10% đơn tiếp theo, hạn đến …"</summary>
    public static string Message(string senderName, string senderPhone, long amount, int nextPercent, DateTimeOffset expires, string code) =>
        $"{senderName} ({MaskTail(senderPhone)}) tặng bạn voucher {Vnd(amount)} cho đơn đầu tiên"
        + (nextPercent > 0 ? $" và giảm {nextPercent}% đơn tiếp theo" : "")
        + $", hạn đến {Day(expires)}, mua online hoặc tại mọi cửa hàng. Mã: {code}";

    /// <summary>A phone as a relative would recognise it, last two digits hidden: <c>+84938373812</c> → <c>09383738xx</c>.</summary>
    public static string MaskTail(string e164)
    {
        var national = e164.StartsWith("+84", StringComparison.Ordinal) ? "0" + e164[3..] : e164;
        return national[..^2] + "xx";
    }

    public static string Vnd(long amount) => amount.ToString("#,##0", Vietnamese) + "đ";

    public static string Day(DateTimeOffset at) => at.ToOffset(ReportCalendar.Offset).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
}
