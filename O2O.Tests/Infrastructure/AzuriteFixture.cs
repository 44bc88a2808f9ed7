using Azure.Data.Tables;

[assembly: AssemblyFixture(typeof(O2O.Tests.Infrastructure.AzuriteFixture))]

namespace O2O.Tests.Infrastructure;

/// <summary>Azurite's table service (in memory) on a free loopback port, once per test run.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account.</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private ServerProcess? _server;

    public int Port { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public TableServiceClient Tables => new(ConnectionString);

    public async ValueTask InitializeAsync()
    {
        Port = ServerProcess.FreeTcpPort();
        _server = ServerProcess.Start(
            "azurite-table",
            ["--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--disableTelemetry"],
            "install Azurite with `npm install -g azurite` (or run ./test.sh, which does).",
            workingDirectory: Directory.CreateTempSubdirectory("azurite").FullName);
        await _server.WaitUntilAsync(() => ServerProcess.AcceptsAsync(Port), "Azurite table service");
        await _server.WaitUntilAsync(async () =>
        {
            await foreach (var _ in Tables.QueryAsync(maxPerPage: 1).AsPages(pageSizeHint: 1))
            {
                break;
            }
            return true;
        }, "Azurite table service");
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
