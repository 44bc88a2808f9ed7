using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using O2O.Silo.Hosting;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Storage;

/// <summary>
/// The silo's Table clients against a real Azurite, seen through a TCP relay that counts the
/// connections they open. Unbounded, a burst of grain activations each reading its row opened a
/// connection per read (thousands), overflowed the server's accept queue and left reads waiting
/// seconds for TCP to retry (bench/README.md, issue 20).
/// </summary>
[Trait("Category", "Slow")]
public sealed class TableConnectionTests(AzuriteFixture azurite)
{
    private const int Limit = 4;
    private const int Reads = 300;

    [Fact]
    public async Task ABurstOfReadsFromEveryStorageNameSharesOneBoundedPoolAndEveryReadAndWriteIsCounted()
    {
        using var relay = new CountingRelay(azurite.Port);
        var endpoint = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{relay.Port}/", StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Two storage names on two service keys, as an AppHost may configure them: still one pool.
            ["Orleans:GrainStorage:profiles:ProviderType"] = TableConnections.ProviderType,
            ["Orleans:GrainStorage:profiles:ServiceKey"] = "tables",
            ["Orleans:GrainStorage:identities:ProviderType"] = TableConnections.ProviderType,
            ["Orleans:GrainStorage:identities:ServiceKey"] = "tables-identities",
            ["ConnectionStrings:tables"] = endpoint,
            ["ConnectionStrings:tables-identities"] = endpoint,
            [$"{TableConnectionOptions.Section}:MaxConnectionsPerServer"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddKeyedTableConnections(configuration)
            .BuildServiceProvider();
        var tableName = "pool" + Guid.NewGuid().ToString("N")[..12];
        var profiles = services.GetRequiredKeyedService<TableServiceClient>("tables").GetTableClient(tableName);
        var identities = services.GetRequiredKeyedService<TableServiceClient>("tables-identities").GetTableClient(tableName);
        using var counted = new StorageOperations(tableName);

        await profiles.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        await profiles.UpsertEntityAsync(new TableEntity("p", "present") { ["Data"] = "x" }, cancellationToken: TestContext.Current.CancellationToken);
        var found = await Task.WhenAll(Enumerable.Range(0, Reads).Select(async i =>
        {
            var client = i % 2 == 0 ? profiles : identities;
            var row = await client.GetEntityIfExistsAsync<TableEntity>("p", i % 10 == 0 ? "present" : $"absent-{i}", cancellationToken: TestContext.Current.CancellationToken);
            return row.HasValue;
        }));

        found.Count(f => f).ShouldBe(Reads / 10);
        relay.MostAtOnce.ShouldBeLessThanOrEqualTo(Limit, "connections open at once to the storage endpoint");
        relay.Opened.ShouldBeLessThanOrEqualTo(Limit * 2, "connections opened for the whole burst");
        counted.Reads(tableName).ShouldBe(Reads, "every read, found or not, counted once");
        counted.Writes(tableName).ShouldBe(1, "the one upsert counted once");
    }

    /// <summary>A loopback TCP relay to the storage endpoint that counts the connections through it.</summary>
    private sealed class CountingRelay : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly int _target;
        private int _open;
        private int _mostAtOnce;
        private int _opened;

        public CountingRelay(int target)
        {
            _target = target;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public int Opened => Volatile.Read(ref _opened);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                Interlocked.Increment(ref _opened);
                var open = Interlocked.Increment(ref _open);
                int most;
                while (open > (most = Volatile.Read(ref _mostAtOnce)) && Interlocked.CompareExchange(ref _mostAtOnce, open, most) != most)
                {
                }
                _ = RelayAsync(client);
            }
        }

        private async Task RelayAsync(TcpClient client)
        {
            try
            {
                using (client)
                using (var server = new TcpClient())
                {
                    await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                    var up = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
                    var down = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                    await Task.WhenAny(up, down);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A connection closed by either side ends its relay; only the count matters here.
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
