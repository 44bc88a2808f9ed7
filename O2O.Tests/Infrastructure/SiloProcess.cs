using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using O2O.Grains;
using O2O.Silo.Hosting;
using Orleans.Configuration;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// A real <c>O2O.Silo</c> process (the built <c>O2O.Silo.dll</c>), configured only by the environment
/// variables an Aspire AppHost sets: Redis clustering and reminders, Table storage for every storage name.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly ServerProcess _process;

    private SiloProcess(ServerProcess process, int siloPort, int gatewayPort, int httpPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public string Output => _process.Output;

    /// <summary>What the AppHost would inject for one silo of cluster <paramref name="clusterId"/>.</summary>
    public static Dictionary<string, string> AspireEnvironment(string clusterId, string redis, string tables, int siloPort, int gatewayPort, int httpPort)
    {
        var env = new Dictionary<string, string>
        {
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = "o2o",
            ["Orleans__Clustering__ProviderType"] = "Redis",
            ["Orleans__Clustering__ServiceKey"] = "redis",
            ["Orleans__Reminders__ProviderType"] = "Redis",
            ["Orleans__Reminders__ServiceKey"] = "redis",
            ["ConnectionStrings__redis"] = redis,
            ["ConnectionStrings__tables"] = tables,
            ["Orleans__Endpoints__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}",
            ["O2O__Demo__Enabled"] = "false",
            ["O2O__Privacy__PseudonymSecret"] = TestSecrets.PseudonymSecret,
            // A killed silo is declared dead within seconds instead of the production default.
            ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
            ["Orleans__Membership__NumMissedProbesLimit"] = "2",
            ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
            ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
        };
        foreach (var name in StorageNames.All)
        {
            env[$"Orleans__GrainStorage__{name}__ProviderType"] = "AzureTableStorage";
            env[$"Orleans__GrainStorage__{name}__ServiceKey"] = "tables";
        }
        return env;
    }

    /// <summary>Starts a silo and waits until its health endpoint reports ready (Redis and Tables reachable).</summary>
    public static async Task<SiloProcess> StartAsync(string clusterId, string redis, string tables, IReadOnlyDictionary<string, string>? more = null)
    {
        var (siloPort, gatewayPort, httpPort) = (ServerProcess.FreeTcpPort(), ServerProcess.FreeTcpPort(), ServerProcess.FreeTcpPort());
        var dll = ServiceDll("O2O.Silo");
        var environment = AspireEnvironment(clusterId, redis, tables, siloPort, gatewayPort, httpPort);
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var process = ServerProcess.Start("dotnet", [dll], "the .NET SDK runs the silo.", environment, Path.GetDirectoryName(dll));
        var silo = new SiloProcess(process, siloPort, gatewayPort, httpPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        await process.WaitUntilAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, "O2O.Silo", TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>SIGKILL.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGSTOP: the silo keeps its sockets and answers nothing, as a hung host.</summary>
    public void Freeze() => _process.Signal("STOP");

    /// <summary>SIGCONT.</summary>
    public void Thaw() => _process.Signal("CONT");

    public void Dispose() => _process.Dispose();

    /// <summary>The settings that make a host a client of cluster <paramref name="clusterId"/> (an Orleans client, or the Api).</summary>
    public static Dictionary<string, string> ClientSettings(string clusterId, string redis) => new()
    {
        ["Orleans:ClusterId"] = clusterId,
        ["Orleans:ServiceId"] = "o2o",
        ["Orleans:Clustering:ProviderType"] = "Redis",
        ["Orleans:Clustering:ServiceKey"] = "redis",
        ["ConnectionStrings:redis"] = redis,
    };

    /// <summary>An Orleans client of the cluster, configured by the same keys.</summary>
    public static async Task<IHost> StartClientAsync(string clusterId, string redis)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(ClientSettings(clusterId, redis)!);
        builder.Services.AddKeyedRedisConnections(builder.Configuration);
        builder.UseOrleansClient(client => client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1)));
        builder.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(15));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// A service the test project's build produced (the test project references O2O.Api and, through
    /// it, O2O.Silo), runnable as its own process.
    /// </summary>
    public static string ServiceDll(string project)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, project + ".runtimeconfig.json")))
        {
            return beside;
        }
        // .../O2O.Tests/bin/<configuration>/<tfm>/ -> .../<project>/bin/<configuration>/<tfm>/<project>.dll
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!;
        var built = Path.Combine(root.FullName, project, "bin", configuration.Name, tfm.Name, project + ".dll");
        return File.Exists(built) ? built : throw new FileNotFoundException($"Build {project} first (dotnet build O2O.sln).", built);
    }
}
