using System.Net;
using System.Text;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace O2O.Silo.Messaging;

/// <summary>
/// Web push through the browser's push service with <c>Lib.Net.Http.WebPush</c>: the payload
/// (<c>{"title","body","url","tag"}</c>, JSON for the site's service worker) encrypted for the
/// subscription (<c>aes128gcm</c>, RFC 8291), authorised with a VAPID token signed by our key (RFC 8292),
/// with a time to live. Push services answer 201; 404 and 410 mean the subscription is gone.
/// </summary>
public sealed class WebPushChannel(HttpClient http, IOptions<MessagingOptions> options) : IMessageChannel
{
    public const string HttpClientName = "webpush";

    /// <summary>What a push service must accept: 4,096 bytes of record, less the encryption's overhead.</summary>
    public const int MaxPayloadBytes = 3_993;

    private readonly WebPushOptions _push = options.Value.WebPush;

    public Channel Channel => Channel.WebPush;

    public bool IsConfigured => !string.IsNullOrEmpty(_push.PublicKey) && !string.IsNullOrEmpty(_push.PrivateKey);

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        if (message.Push is not { } keys || !Uri.TryCreate(message.To, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps && !endpoint.IsLoopback)
        {
            return SendResult.Failed(new ProviderError("invalid-subscription", "a push subscription needs an https endpoint and its p256dh and auth keys", Retryable: false));
        }
        var payload = JsonSerializer.Serialize(new { title = message.Subject ?? "", body = message.Text, url = message.Link, tag = message.MessageId });
        if (Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            return SendResult.Failed(new ProviderError("too-long", $"a push message carries at most {MaxPayloadBytes} bytes", Retryable: false));
        }
        var subscription = new PushSubscription { Endpoint = message.To };
        subscription.SetKey(PushEncryptionKeyName.P256DH, keys.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, keys.Auth);
        try
        {
            using var vapid = new VapidAuthentication(_push.PublicKey!, _push.PrivateKey!) { Subject = _push.Subject };
            // Retries are MessageSender's: the client must not repeat a 429 on its own.
            var client = new PushServiceClient(http) { DefaultAuthentication = vapid, DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid, AutoRetryAfter = false };
            await client.RequestPushMessageDeliveryAsync(subscription, new PushMessage(payload) { TimeToLive = _push.TimeToLive, Urgency = PushMessageUrgency.Normal }, ct);
            return new SendResult(DeliveryStatus.Sent, _push.CostPerMessage, message.MessageId, null);
        }
        catch (PushServiceClientException ex)
        {
            return SendResult.Failed(Classify(ex.StatusCode));
        }
        catch (ArgumentException ex)
        {
            // Keys that are not what VAPID or the subscription need (wrong length, not base64url).
            return SendResult.Failed(new ProviderError("invalid-keys", ex.Message, Retryable: false));
        }
        catch (HttpRequestException ex)
        {
            return SendResult.Failed(new ProviderError("network", ex.HttpRequestError.ToString(), Retryable: true));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return SendResult.Failed(new ProviderError("timeout", "the push service did not answer in time", Retryable: true));
        }
    }

    /// <summary>404 and 410: the browser unsubscribed or the subscription expired; 429 and 5xx: later; the rest (400, 403 VAPID refused, 413 too large) will not change.</summary>
    public static ProviderError Classify(HttpStatusCode status)
    {
        var code = $"http-{(int)status}";
        return status switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => new ProviderError(code, "the push subscription is gone", Retryable: false),
            HttpStatusCode.TooManyRequests => new ProviderError(code, "the push service asks to slow down", Retryable: true),
            >= HttpStatusCode.InternalServerError => new ProviderError(code, "the push service is unavailable", Retryable: true),
            _ => new ProviderError(code, "the push service refused the message", Retryable: false),
        };
    }
}
