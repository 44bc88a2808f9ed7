using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using O2O.Silo.EventHubs;

namespace O2O.Tests.EventHubs;

public sealed class EventHubsConnectionTests
{
    private const string Valid =
        "Endpoint=sb://o2o-prod.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=c2VjcmV0LWtleQ==;EntityPath=o2o-events";

    [Fact]
    public void AnEventHubsConnectionStringBecomesTheKafkaEndpointWithSaslPlainOverTls()
    {
        var connection = EventHubsConnection.Parse(Valid);
        var config = new ClientConfig();
        connection.ApplyTo(config);

        config.BootstrapServers.ShouldBe("o2o-prod.servicebus.windows.net:9093");
        config.SecurityProtocol.ShouldBe(SecurityProtocol.SaslSsl);
        config.SaslMechanism.ShouldBe(SaslMechanism.Plain);
        config.SaslUsername.ShouldBe("$ConnectionString");
        config.SaslPassword.ShouldBe(Valid);
        connection.EntityPath.ShouldBe("o2o-events");
    }

    [Fact]
    public void TheLocalEmulatorsConnectionStringUsesItsPlainKafkaPort()
    {
        const string emulator = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";
        var config = new ClientConfig();
        EventHubsConnection.Parse(emulator).ApplyTo(config);

        config.BootstrapServers.ShouldBe("localhost:9092");
        config.SecurityProtocol.ShouldBe(SecurityProtocol.SaslPlaintext);
        config.SaslUsername.ShouldBe("$ConnectionString");
    }

    [Fact]
    public void APlainBootstrapListIsUsedAsItIsWithoutCredentials()
    {
        var connection = EventHubsConnection.Parse("127.0.0.1:9092, broker-2:9092");
        var config = new ClientConfig();
        connection.ApplyTo(config);

        config.BootstrapServers.ShouldBe("127.0.0.1:9092,broker-2:9092");
        config.SecurityProtocol.ShouldBeNull();
        connection.IsEventHubs.ShouldBeFalse();
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("SharedAccessKeyName=k;SharedAccessKey=s", "Endpoint is missing")]
    [InlineData("Endpoint=https://o2o.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s", "is not an sb://")]
    [InlineData("Endpoint=sb://o2o.servicebus.windows.net/;SharedAccessKey=s", "SharedAccessKeyName is missing")]
    [InlineData("Endpoint=sb://o2o.servicebus.windows.net/;SharedAccessKeyName=k", "SharedAccessKey is missing")]
    [InlineData("Endpoint=sb://o2o.servicebus.windows.net/;oops;SharedAccessKeyName=k;SharedAccessKey=s", "part 2 is not a Key=Value pair")]
    [InlineData("localhost", "'localhost' is not host:port")]
    [InlineData("localhost:99999", "'localhost:99999' is not host:port")]
    public void ABadConnectionStringIsRefusedNamingTheProblem(string value, string problem)
    {
        var ex = Should.Throw<FormatException>(() => EventHubsConnection.Parse(value));
        ex.Message.ShouldContain(problem);
        ex.Message.ShouldContain("ConnectionStrings:eventhubs");
    }

    [Fact]
    public void TheSecretKeyNeverAppearsInAnError()
    {
        var ex = Should.Throw<FormatException>(() => EventHubsConnection.Parse("Endpoint=ftp://x/;SharedAccessKeyName=k;SharedAccessKey=TOPSECRET"));
        ex.Message.ShouldNotContain("TOPSECRET");
    }

    [Fact]
    public async Task AHostWithABadConnectionStringFailsAtStartNamingTheProblem()
    {
        using var host = HostWith(new()
        {
            ["ConnectionStrings:eventhubs"] = "Endpoint=sb://o2o.servicebus.windows.net/;SharedAccessKeyName=send",
        });
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
        ex.Message.ShouldContain("SharedAccessKey is missing");
    }

    [Fact]
    public async Task TheDeadLetterHubMustDifferFromTheHub()
    {
        using var host = HostWith(new()
        {
            ["ConnectionStrings:eventhubs"] = "127.0.0.1:9092",
            ["O2O:EventHubs:Hub"] = "events",
            ["O2O:EventHubs:DeadLetterHub"] = "events",
        });
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
        ex.Message.ShouldContain("DeadLetterHub must differ from Hub");
    }

    [Fact]
    public void TheHubDefaultsToTheEntityPathOfTheConnectionString()
    {
        using var host = HostWith(new() { ["ConnectionStrings:eventhubs"] = Valid });
        host.Services.GetRequiredService<IOptions<EventHubsOptions>>().Value.Hub.ShouldBe("o2o-events");
    }

    private static IHost HostWith(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEventHubsOptions();
        return builder.Build();
    }
}
