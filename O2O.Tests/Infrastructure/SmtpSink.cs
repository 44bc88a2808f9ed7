using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace O2O.Tests.Infrastructure;

/// <summary>A real SMTP server (the SmtpServer package) on a free loopback port that keeps every message it receives.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Store _store = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _running;

    public int Port { get; private set; }

    public IReadOnlyCollection<MimeMessage> Messages => _store.Messages;

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink { Port = ServerProcess.FreeTcpPort() };
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, sink.Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(sink._store);
        sink._server = new SmtpServer.SmtpServer(options, services);
        sink._running = sink._server.StartAsync(sink._stop.Token);
        await Waits.UntilAsync(() => ServerProcess.AcceptsAsync(sink.Port), "the SMTP sink accepts connections");
        return sink;
    }

    /// <summary>Messages to one address, in the order they arrived.</summary>
    public IReadOnlyList<MimeMessage> To(string email) =>
        [.. _store.Messages.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, email, StringComparison.OrdinalIgnoreCase)))];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running;
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }

    private sealed class Store : MessageStore
    {
        public ConcurrentQueue<MimeMessage> Messages { get; } = new();

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            Messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
