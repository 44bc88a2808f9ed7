using System.Diagnostics;
using System.Text.Json;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.AppHost;

/// <summary>
/// What <c>azd</c> reads: the AppHost's publish manifest (<c>--publisher manifest</c>, as azd runs it).
/// Azure resources come in as connection strings to what infra/ provisions, secrets as parameters.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PublishManifestTests
{
    private static readonly Lazy<Task<JsonElement>> Manifest = new(PublishAsync);

    [Fact]
    public async Task SiloAndApiAreProjectsAndTheSiloRunsThreeReplicas()
    {
        var resources = (await Manifest.Value).GetProperty("resources");

        var silo = resources.GetProperty("silo");
        silo.GetProperty("type").GetString().ShouldBe("project.v0");
        silo.GetProperty("path").GetString()!.ShouldEndWith("O2O.Silo.csproj");
        silo.GetProperty("replicas").GetInt32().ShouldBe(3);
        var api = resources.GetProperty("api");
        api.GetProperty("type").GetString().ShouldBe("project.v0");
        api.GetProperty("path").GetString()!.ShouldEndWith("O2O.Api.csproj");
        api.GetProperty("bindings").GetProperty("https").GetProperty("external").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task AzureResourcesAreSecretConnectionStringsTheServicesReference()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        foreach (var name in new[] { "redis", "tables", "eventhubs" })
        {
            var resource = resources.GetProperty(name);
            resource.GetProperty("connectionString").GetString().ShouldBe($"{{{name}.value}}");
            resource.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean().ShouldBeTrue($"{name} carries keys");
        }
        var silo = Env(resources, "silo");
        silo["ConnectionStrings__redis"].ShouldBe("{redis.connectionString}");
        silo["ConnectionStrings__tables"].ShouldBe("{tables.connectionString}");
        silo["ConnectionStrings__eventhubs"].ShouldBe("{eventhubs.connectionString}");
        var api = Env(resources, "api");
        api["ConnectionStrings__redis"].ShouldBe("{redis.connectionString}", "Orleans client membership and the SignalR backplane");
        api["ConnectionStrings__eventhubs"].ShouldBe("{eventhubs.connectionString}");
        api.ShouldNotContainKey("ConnectionStrings__tables");
    }

    [Fact]
    public async Task OrleansKeysSelectRedisClusteringAndTableStorageForEveryGrainStorageName()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var silo = Env(resources, "silo");
        silo["Orleans__ClusterId"].ShouldBe("o2o");
        silo["Orleans__ServiceId"].ShouldBe("o2o");
        silo["Orleans__Clustering__ProviderType"].ShouldBe("Redis");
        silo["Orleans__Clustering__ServiceKey"].ShouldBe("redis");
        silo["Orleans__Reminders__ProviderType"].ShouldBe("Redis");
        foreach (var name in O2O.Grains.StorageNames.All)
        {
            silo[$"Orleans__GrainStorage__{name}__ProviderType"].ShouldBe("AzureTableStorage");
            silo[$"Orleans__GrainStorage__{name}__ServiceKey"].ShouldBe("tables");
        }
        silo.Keys.Where(k => k.StartsWith("Orleans__GrainStorage__", StringComparison.Ordinal) && k.EndsWith("__ProviderType", StringComparison.Ordinal))
            .Count().ShouldBe(O2O.Grains.StorageNames.All.Length, "no grain storage name that no grain uses");
        silo["Orleans__Endpoints__SiloPort"].ShouldBe("{silo.bindings.orleans-silo.targetPort}");
        silo["Orleans__Endpoints__GatewayPort"].ShouldBe("{silo.bindings.orleans-gateway.targetPort}");
        var api = Env(resources, "api");
        api["Orleans__Clustering__ProviderType"].ShouldBe("Redis");
        api.ShouldNotContainKey("Orleans__GrainStorage__profiles__ProviderType");
    }

    [Fact]
    public async Task TheApiGetsItsSecretsAsParameters()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var api = Env(resources, "api");
        var secrets = new Dictionary<string, string>
        {
            ["O2O__Security__WriteKeys__0__Key"] = "write-key",
            ["O2O__Security__ReadTokens__0__Token"] = "read-token",
            ["O2O__Consultants__SigningKey"] = "consultant-signing-key",
            ["O2O__Marketers__Accounts__0__PasswordHash"] = "marketer-password-hash",
            ["O2O__Privacy__PseudonymSecret"] = "pseudonym-secret",
            ["O2O__Identity__ClientSecret"] = "identity-client-secret",
            ["O2O__BillLinks__SigningKey"] = "bill-link-signing-key",
        };
        foreach (var (variable, parameter) in secrets)
        {
            api[variable].ShouldBe($"{{{parameter}.value}}");
            var input = resources.GetProperty(parameter);
            input.GetProperty("type").GetString().ShouldBe("parameter.v0");
            input.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean().ShouldBeTrue();
        }
        api["O2O__Security__WriteKeys__0__Tenant"].ShouldBe("{tenant.value}");
        api["O2O__Marketers__Accounts__0__Login"].ShouldBe("{marketer-login.value}");
        api["O2O__Identity__Authority"].ShouldBe("{identity-authority.value}");
        api["O2O__Identity__ClientId"].ShouldBe("{identity-client-id.value}");
        // Silos compute the same identifier pseudonyms as the Api, from the same secret.
        Env(resources, "silo")["O2O__Privacy__PseudonymSecret"].ShouldBe("{pseudonym-secret.value}");
        api.ShouldNotContainKey("O2O__Demo__Enabled");
        api.ShouldNotContainKey("ASPNETCORE_ENVIRONMENT");
    }

    [Fact]
    public async Task LinksPointAtThePublicAddressAndTheApiTrustsTheIngressForwardedHeaders()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var api = Env(resources, "api");
        // Printed QR codes and message links must not point at localhost, the options' default.
        api["O2O__BillLinks__BaseUrl"].ShouldBe("{public-url.value}");
        api["O2O__Journeys__PublicBaseUrl"].ShouldBe("{public-url.value}");
        Env(resources, "silo")["O2O__Journeys__PublicBaseUrl"].ShouldBe("{public-url.value}");
        resources.GetProperty("public-url").GetProperty("type").GetString().ShouldBe("parameter.v0");
        api["ASPNETCORE_FORWARDEDHEADERS_ENABLED"].ShouldBe("true");
    }

    private static Dictionary<string, string> Env(JsonElement resources, string name) =>
        resources.GetProperty(name).GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static async Task<JsonElement> PublishAsync()
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("o2o-manifest").FullName, "aspire-manifest.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { SiloProcess.ServiceDll("O2O.AppHost"), "--publisher", "manifest", "--output-path", output })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.ShouldBe(0, $"the AppHost should publish its manifest: {await stdout}{await stderr}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement;
    }
}
