using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace O2O.Silo.Messaging;

/// <summary>Email over SMTP with MailKit. 4xx replies and lost connections are retryable, 5xx permanent.</summary>
public sealed class SmtpEmailChannel(IOptions<MessagingOptions> options) : IMessageChannel
{
    private readonly EmailOptions _email = options.Value.Email;

    public Channel Channel => Channel.Email;

    public bool IsConfigured => !string.IsNullOrEmpty(_email.Host);

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        var mail = new MimeMessage();
        mail.From.Add(new MailboxAddress(_email.FromName, _email.From));
        if (!MailboxAddress.TryParse(message.To, out var to))
        {
            return SendResult.Failed(new ProviderError("invalid-address", "not an email address", Retryable: false));
        }
        mail.To.Add(to);
        mail.Subject = message.Subject ?? "";
        mail.MessageId = $"{message.MessageId}@o2o";
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 2369 and RFC 8058: mail clients show an unsubscribe button, and a provider's one-click
            // POST to the https address (body List-Unsubscribe=One-Click) unsubscribes with no page to fill in.
            mail.Headers.Add(OneClickUnsubscribe.Header, $"<{unsubscribe}>");
            mail.Headers.Add(OneClickUnsubscribe.PostHeader, OneClickUnsubscribe.PostBody);
        }
        var body = new BodyBuilder { TextBody = message.Link is null ? message.Text : $"{message.Text}\n\n{message.Link}" };
        mail.Body = body.ToMessageBody();
        using var client = new SmtpClient();
        try
        {
            var security = Enum.TryParse<SecureSocketOptions>(_email.Security, ignoreCase: true, out var s) ? s : SecureSocketOptions.StartTls;
            await client.ConnectAsync(_email.Host!, _email.Port, security, ct);
            if (!string.IsNullOrEmpty(_email.UserName))
            {
                await client.AuthenticateAsync(_email.UserName, _email.Password ?? "", ct);
            }
            await client.SendAsync(mail, ct);
            await client.DisconnectAsync(quit: true, ct);
            return new SendResult(DeliveryStatus.Sent, _email.CostPerMessage, mail.MessageId, null);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            return SendResult.Failed(new ProviderError(code.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, Retryable: code is >= 400 and < 500));
        }
        catch (AuthenticationException ex)
        {
            return SendResult.Failed(new ProviderError("auth", ex.Message, Retryable: false));
        }
        catch (Exception ex) when (ex is SmtpProtocolException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException)
        {
            return SendResult.Failed(new ProviderError("connection", ex.GetType().Name, Retryable: true));
        }
    }
}

/// <summary>The header fields and POST body of RFC 8058 one-click unsubscribe.</summary>
public static class OneClickUnsubscribe
{
    public const string Header = "List-Unsubscribe";
    public const string PostHeader = "List-Unsubscribe-Post";
    /// <summary>What the mail provider posts (form-encoded) to the address in <see cref="Header"/>.</summary>
    public const string PostBody = "List-Unsubscribe=One-Click";
}
