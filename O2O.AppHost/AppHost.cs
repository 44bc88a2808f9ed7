// The O2O app model: what runs, what it needs, and how it is wired. One model for both uses:
// - `dotnet run --project O2O.AppHost` runs everything on this machine without a container runtime:
//   redis-server and Azurite's table service as executables, librdkafka's mock Kafka cluster in this
//   process standing in for Event Hubs' Kafka endpoint, three silos, the Api with demo traffic, and
//   the Aspire dashboard receiving every service's OTLP.
// - In publish mode (`azd up`, or `--publisher manifest`) the same three resources are connection
//   strings to what infra/ provisions in Azure, and the Api's secrets are parameters.

namespace O2O.AppHost;

internal static class Program
{
    private static void Main(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);

        var local = builder.ExecutionContext.IsRunMode;

        // Orleans clustering and reminders, and the Api's SignalR backplane.
        var redis = local ? builder.AddRedisServer(Names.Redis).AsConnectionString() : builder.AddConnectionString(Names.Redis);

        // Grain state: Orleans' own Azure Table provider, one table per grain storage name.
        var tables = local ? builder.AddAzuriteTables(Names.Tables).AsConnectionString() : builder.AddConnectionString(Names.Tables);

        // Events from the Api to the silos through a Kafka endpoint: Event Hubs (Standard tier or above) in Azure.
        var eventHubs = local ? builder.AddKafkaMockCluster(Names.EventHubs) : builder.AddConnectionString(Names.EventHubs);

        redis.WithOrleansProviderType("Redis");
        tables.WithOrleansProviderType("AzureTableStorage");

        var orleans = builder.AddOrleans("o2o")
            .WithClusterId("o2o")
            .WithServiceId("o2o")
            .WithClustering(redis)
            .WithReminders(redis)
            .WithGrainStorage("profiles", tables)
            .WithGrainStorage("identities", tables)
            .WithGrainStorage("stores", tables)
            .WithGrainStorage("campaigns", tables)
            .WithGrainStorage("leads", tables)
            .WithGrainStorage("masterdata", tables);

        var silo = builder.AddProject<Projects.O2O_Silo>("silo")
            .WithReference(orleans)
            .WithReference(eventHubs)
            .WithEnvironment("O2O__EventHubs__Hub", Names.EventsHub)
            .WithEnvironment("O2O__EventHubs__ConsumerGroup", Names.ConsumerGroup)
            .WithEnvironment("O2O__EventHubs__DeadLetterHub", Names.DeadLetterHub)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WaitFor(redis)
            .WaitFor(tables)
            .WithPublishedReplicas(3);

        var api = builder.AddProject<Projects.O2O_Api>("api")
            .WithReference(orleans.AsClient())
            .WithReference(eventHubs)
            .WithReference(redis)
            .WithEnvironment("O2O__EventHubs__Hub", Names.EventsHub)
            .WithEnvironment("O2O__EventHubs__DeadLetterHub", Names.DeadLetterHub)
            .WithExternalHttpEndpoints()
            .WithHttpHealthCheck("/health")
            .WaitFor(silo);

        // Keys the identifier pseudonyms (HMAC-SHA256): silos and the Api must share it. A fixed value
        // is fine on a developer's machine only; in Azure it is a secret parameter.
        var pseudonymSecret = local
            ? builder.AddParameter("pseudonym-secret", "o2o-local-run-only-pseudonym-secret-0123456789", secret: true)
            : builder.AddParameter("pseudonym-secret", secret: true);
        silo.WithEnvironment("O2O__Privacy__PseudonymSecret", pseudonymSecret);
        api.WithEnvironment("O2O__Privacy__PseudonymSecret", pseudonymSecret);

        if (local)
        {
            // Development settings of the Api: demo keys, consultants and marketer; demo traffic on.
            api.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
                .WithEnvironment("O2O__Demo__Enabled", "true");
        }
        else
        {
            api.WithProductionSecrets(builder);
            // The https address shoppers and message recipients open (the api Container App's URL or the
            // shop's own domain in front of it): printed bill QR codes, links in messages, Viber's webhook.
            var publicUrl = builder.AddParameter("public-url");
            api.WithEnvironment("O2O__BillLinks__BaseUrl", publicUrl)
                .WithEnvironment("O2O__Journeys__PublicBaseUrl", publicUrl)
                // Container Apps' ingress ends TLS and forwards: the Api then sees https (sign-in's redirect
                // address) and the client's address (one-time-code limits per client), not the proxy's.
                .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true");
            // Journeys compose their messages where their grains run.
            silo.WithEnvironment("O2O__Journeys__PublicBaseUrl", publicUrl);
        }

        builder.Build().Run();
    }
}
