using System.ComponentModel.DataAnnotations;

namespace O2O.Silo.Messaging;

/// <summary>Messaging providers (section <c>O2O:Messaging</c>). A provider without credentials is off.</summary>
public sealed class MessagingOptions
{
    public const string Section = "O2O:Messaging";

    public ZnsOptions Zns { get; set; } = new();
    public SmsOptions Sms { get; set; } = new();
    public EmailOptions Email { get; set; } = new();
    public ViberOptions Viber { get; set; } = new();
    public WebPushOptions WebPush { get; set; } = new();

    /// <summary>Channels to try for one-time codes, in order (the first configured one is used).</summary>
    public List<Channel> OtpChannels { get; set; } = [Channel.Zns, Channel.Sms];

    /// <summary>Sends of one message when the provider answers with a retryable error.</summary>
    [Range(1, 10)] public int MaxAttempts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")] public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Zalo Notification Service (ZNS) through the Zalo OA Open API.</summary>
public sealed class ZnsOptions
{
    [Url] public string BaseUrl { get; set; } = "https://business.openapi.zalo.me";
    /// <summary>The OA's access token (sent in the <c>access_token</c> header).</summary>
    public string? AccessToken { get; set; }
    /// <summary>Approved template for one-time codes; its parameter is <c>otp</c>.</summary>
    public string? OtpTemplateId { get; set; }
    /// <summary>Approved template whose button opens the per-order link; parameters <c>customer_name</c>, <c>order_code</c>, <c>store</c>, <c>link</c>.</summary>
    public string? OrderTemplateId { get; set; }
    /// <summary>Approved referral template; parameters <c>sender</c>, <c>voucher_value</c>, <c>expiry</c>, <c>link</c>.</summary>
    public string? ReferralTemplateId { get; set; }
    /// <summary>What one message costs, in VND, for the cost report (ZNS prices per template type).</summary>
    [Range(0, 100_000)] public long CostPerMessage { get; set; } = 300;
    /// <summary>The Zalo app's id: with <see cref="OaSecretKey"/> it checks the webhook's <c>X-ZEvent-Signature</c>.</summary>
    public string? AppId { get; set; }
    /// <summary>The OA secret key (not the app secret) Zalo signs webhook events with; without it delivery events are refused.</summary>
    public string? OaSecretKey { get; set; }
}

/// <summary>SMS brand-name through eSMS.vn (<c>SendMultipleMessage_V4_post_json</c>).</summary>
public sealed class SmsOptions
{
    [Url] public string BaseUrl { get; set; } = "https://rest.esms.vn";
    public string? ApiKey { get; set; }
    public string? SecretKey { get; set; }
    /// <summary>The registered brand name shown as the sender.</summary>
    public string? Brandname { get; set; }
    /// <summary>eSMS message type: 2 is customer care (brand name), the kind for codes and order links.</summary>
    public string SmsType { get; set; } = "2";
    /// <summary>1 sends the message in test mode at eSMS (accepted, not delivered).</summary>
    public int Sandbox { get; set; }
    /// <summary>
    /// This service's public address of <c>/v1/messaging/esms/callback</c>; each send gives eSMS that address
    /// followed by <c>/{tenant}/{signature}</c>. None (or no <see cref="CallbackSecret"/>) means no delivery reports.
    /// </summary>
    public string? CallbackUrl { get; set; }
    /// <summary>Signs the callback address: eSMS does not sign its callbacks, so the address itself is the credential.</summary>
    public string? CallbackSecret { get; set; }
    [Range(0, 100_000)] public long CostPerMessage { get; set; } = 800;
}

/// <summary>Email over SMTP with MailKit.</summary>
public sealed class EmailOptions
{
    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 587;
    /// <summary>None, StartTls or SslOnConnect.</summary>
    public string Security { get; set; } = "StartTls";
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "no-reply@o2o.local";
    public string FromName { get; set; } = "O2O";
    [Range(0, 100_000)] public long CostPerMessage { get; set; }
}

/// <summary>Viber chatbot messages through the Viber REST Bot API (<c>POST /pa/send_message</c>).</summary>
public sealed class ViberOptions
{
    [Url] public string BaseUrl { get; set; } = "https://chatapi.viber.com";
    /// <summary>The bot's authentication token (sent in <c>X-Viber-Auth-Token</c>); without it Viber is off.</summary>
    public string? AuthToken { get; set; }
    /// <summary>The sender name shown above the message; Viber allows 28 characters.</summary>
    [MaxLength(28)] public string SenderName { get; set; } = "O2O";
    /// <summary>The sender's avatar (an image URL), optional.</summary>
    [Url] public string? SenderAvatar { get; set; }
    /// <summary>What Viber charges per message, in VND, for the cost report (commercial chatbot pricing).</summary>
    [Range(0, 100_000)] public long CostPerMessage { get; set; } = 450;
    /// <summary>The bot's URI (its <c>chatURI</c>): deep links <c>viber://pa?chatURI=…&amp;context=…</c> open it; without it no link is handed out.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")] public string? ChatUri { get; set; }
    /// <summary>The version of the wording the bot shows when people subscribe, recorded with their Viber consent.</summary>
    [Required, MaxLength(64)] public string ConsentWording { get; set; } = "viber-bot-v1";
}

/// <summary>Web push with VAPID (RFC 8292): the application server's P-256 key pair, base64url.</summary>
public sealed class WebPushOptions
{
    /// <summary>The public key (65 bytes, uncompressed point) the browser subscribes with (<c>applicationServerKey</c>).</summary>
    public string? PublicKey { get; set; }
    /// <summary>The private key (32 bytes); without both keys web push is off.</summary>
    public string? PrivateKey { get; set; }
    /// <summary>Who push services contact about our messages: a <c>mailto:</c> or <c>https:</c> address.</summary>
    [RegularExpression("^(mailto:|https://).+")] public string Subject { get; set; } = "mailto:ops@o2o.local";
    /// <summary>How long (seconds) a push service keeps a message for an offline browser.</summary>
    [Range(0, 2_419_200)] public int TimeToLive { get; set; } = 86_400;
    [Range(0, 100_000)] public long CostPerMessage { get; set; }
}
