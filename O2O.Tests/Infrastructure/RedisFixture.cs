using StackExchange.Redis;

[assembly: AssemblyFixture(typeof(O2O.Tests.Infrastructure.RedisFixture))]

namespace O2O.Tests.Infrastructure;

/// <summary><c>redis-server</c> (no persistence) on a free loopback port, once per test run.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private ConnectionMultiplexer? _redis;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public IConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("Redis has not started.");

    public async ValueTask InitializeAsync()
    {
        Port = ServerProcess.FreeTcpPort();
        _server = ServerProcess.Start(
            "redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            "install it with `apt-get install redis-server` (or run ./test.sh, which does).");
        await _server.WaitUntilAsync(() => ServerProcess.AcceptsAsync(Port), "redis-server");
        _redis = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        _server?.Dispose();
    }
}
