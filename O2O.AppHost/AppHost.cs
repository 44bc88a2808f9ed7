// The O2O app model: what runs, what it needs, and how it is wired.
// Locally (`dotnet run --project O2O.AppHost`, needs a container runtime) the Azure resources run as
// emulators; `azd up` provisions the real ones and deploys the services to Azure Container Apps.

var builder = DistributedApplication.CreateBuilder(args);

builder.AddAzureContainerAppEnvironment("o2o-env");

// Grain state: one table per grain storage name (AzureTableStorage provider in O2O.Silo/Storage).
var storage = builder.AddAzureStorage("storage").RunAsEmulator();
var tables = storage.AddTables("tables");

// Orleans clustering and reminders. Access keys: the Orleans Redis providers take a connection string.
var redis = builder.AddAzureRedis("redis").WithAccessKeyAuthentication().RunAsContainer();

// Events from the Api to the silos, through Event Hubs' Kafka endpoint (Standard tier or above).
var eventHubs = builder.AddAzureEventHubs("eventhubs").RunAsEmulator();
var events = eventHubs.AddHub("events", "o2o-events");
events.AddConsumerGroup("silos", "o2o-silo");
eventHubs.AddHub("deadletters", "o2o-events-deadletter");

// Secrets the Api needs in production: the ingestion write key and the read API token.
var writeKey = builder.AddParameter("write-key", secret: true);
var readToken = builder.AddParameter("read-token", secret: true);
var tenant = builder.AddParameter("tenant", "default");

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
    .WithGrainStorage("attribution", tables);

var silo = builder.AddProject<Projects.O2O_Silo>("silo")
    .WithReference(orleans)
    .WithReference(eventHubs)
    .WithEnvironment("O2O__EventHubs__Hub", "o2o-events")
    .WithEnvironment("O2O__EventHubs__ConsumerGroup", "o2o-silo")
    .WithEnvironment("O2O__EventHubs__DeadLetterHub", "o2o-events-deadletter")
    .WaitFor(redis)
    .WaitFor(tables)
    .WaitFor(eventHubs)
    .WithReplicas(3);

builder.AddProject<Projects.O2O_Api>("api")
    .WithReference(orleans.AsClient())
    .WithReference(eventHubs)
    .WithReference(redis)
    .WithEnvironment("O2O__EventHubs__Hub", "o2o-events")
    .WithEnvironment("O2O__EventHubs__DeadLetterHub", "o2o-events-deadletter")
    .WithEnvironment("O2O__Security__WriteKeys__0__Key", writeKey)
    .WithEnvironment("O2O__Security__WriteKeys__0__Tenant", tenant)
    .WithEnvironment("O2O__Security__ReadTokens__0__Token", readToken)
    .WithEnvironment("O2O__Security__ReadTokens__0__Tenant", tenant)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WaitFor(silo);

builder.Build().Run();
