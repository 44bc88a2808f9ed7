// The Azure services the O2O app model references by connection string (redis, tables, eventhubs).
// azd deploys the two services from the AppHost's manifest; these three are provisioned here, once per
// environment, and their connection strings are given to azd as the secret parameters of the same names.
//
//   az group create -n <rg> -l <region>
//   az deployment group create -g <rg> -f infra/services.bicep -p name=<prefix>
//
// README.md, "Deploying to Azure", lists the commands that read the three connection strings.

@description('Prefix of every resource name: lower-case letters and digits, 3 to 11 characters.')
@minLength(3)
@maxLength(11)
param name string

param location string = resourceGroup().location

@description('Event hub partitions: the most silos that drain events in parallel.')
@minValue(2)
@maxValue(32)
param partitions int = 8

var suffix = uniqueString(resourceGroup().id)

// Grain state: Orleans' Azure Table provider, one table per grain storage name (created on first use).
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('${name}st${suffix}', 24)
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

// Orleans membership and reminders, and the Api's SignalR backplane. The Orleans Redis providers take a
// connection string, so access keys stay on.
resource redis 'Microsoft.Cache/redis@2024-03-01' = {
  name: '${name}-redis-${suffix}'
  location: location
  properties: {
    sku: { name: 'Standard', family: 'C', capacity: 1 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
  }
}

// Events from the Api to the silos through the Kafka endpoint, which needs Standard tier or above.
resource eventHubs 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: '${name}-eh-${suffix}'
  location: location
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: {
    kafkaEnabled: true
    minimumTlsVersion: '1.2'
  }
}

resource events 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: eventHubs
  name: 'o2o-events'
  properties: {
    partitionCount: partitions
    messageRetentionInDays: 7
  }
}

resource silos 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: events
  name: 'o2o-silo'
}

resource deadLetters 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: eventHubs
  name: 'o2o-events-deadletter'
  properties: {
    partitionCount: 2
    messageRetentionInDays: 7
  }
}

// One key for the apps: send (Api) and listen (silos, dead letters). No manage rights.
resource appsKey 'Microsoft.EventHub/namespaces/authorizationRules@2024-01-01' = {
  parent: eventHubs
  name: 'o2o-apps'
  properties: {
    rights: [ 'Send', 'Listen' ]
  }
}

output storageAccount string = storage.name
output redisName string = redis.name
output eventHubsNamespace string = eventHubs.name
output eventHubsRule string = appsKey.name
