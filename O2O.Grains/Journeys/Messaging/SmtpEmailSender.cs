using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace O2O.Grains.Journeys.Messaging;

/// <summary>Email through an SMTP server with MailKit. The idempotency key is the Message-ID.</summary>
public sealed class SmtpEmailSender(IOptions<JourneyOptions> options) : IMessageSender
{
    private readonly SmtpOptions _smtp = options.Value.Smtp;

    public MessageChannel Channel => MessageChannel.Email;

    public bool Enabled => !string.IsNullOrWhiteSpace(_smtp.Host);

    public async Task<DeliveryReceipt> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage
        {
            MessageId = message.IdempotencyKey + "@o2o",
            Subject = message.Content.Subject ?? "",
            Body = new TextPart("plain") { Text = message.Content.Body },
        };
        mail.From.Add(new MailboxAddress(_smtp.FromName, _smtp.From));
        mail.To.Add(new MailboxAddress(message.To.Name ?? "", message.To.Email ?? throw new ArgumentException("No email address.", nameof(message))));
        // One-click unsubscribe for mail clients (RFC 8058) besides the link in the text.
        mail.Headers.Add("List-Unsubscribe", "<" + message.Content.UnsubscribeUrl + ">");
        mail.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");

        using var client = new SmtpClient();
        await client.ConnectAsync(_smtp.Host!, _smtp.Port, _smtp.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
        if (_smtp.UserName is { Length: > 0 } user)
        {
            await client.AuthenticateAsync(user, _smtp.Password ?? "", cancellationToken);
        }
        await client.SendAsync(mail, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
        return new DeliveryReceipt(true, mail.MessageId, null);
    }
}
