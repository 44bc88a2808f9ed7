using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace O2O.Silo.Hosting;

/// <summary>
/// Orleans' Azure Table providers (<c>ProviderType=AzureTableStorage</c>) look up a keyed
/// <see cref="TableServiceClient"/> under their <c>ServiceKey</c>, which Aspire's Azure Tables client
/// integration would register. That integration is not used here, so this registers one client per
/// service key from <c>ConnectionStrings:&lt;key&gt;</c>, the same value the AppHost injects.
/// </summary>
public static class TableConnections
{
    public const string ProviderType = "AzureTableStorage";

    /// <summary>Service keys of the Orleans grain storage (and clustering, reminders) configured on Table storage.</summary>
    public static IEnumerable<string> TableServiceKeys(this IConfiguration configuration) => configuration.GetSection("Orleans:GrainStorage").GetChildren()
        .Append(configuration.GetSection("Orleans:Clustering"))
        .Append(configuration.GetSection("Orleans:Reminders"))
        .Where(s => string.Equals(s["ProviderType"], ProviderType, StringComparison.OrdinalIgnoreCase))
        .Select(s => s["ServiceKey"])
        .OfType<string>()
        .Where(key => !string.IsNullOrEmpty(configuration.GetConnectionString(key)))
        .Distinct(StringComparer.Ordinal);

    /// <summary>Grain storage names kept in Table storage.</summary>
    public static IEnumerable<string> TableStorageNames(this IConfiguration configuration) => configuration.GetSection("Orleans:GrainStorage").GetChildren()
        .Where(s => string.Equals(s["ProviderType"], ProviderType, StringComparison.OrdinalIgnoreCase))
        .Select(s => s.Key);

    public static IServiceCollection AddKeyedTableConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TableConnectionOptions>().BindConfiguration(TableConnectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => Transport(sp.GetRequiredService<IOptions<TableConnectionOptions>>().Value));
        foreach (var key in configuration.TableServiceKeys())
        {
            var connectionString = configuration.GetConnectionString(key)!;
            services.TryAddKeyedSingleton(key, (sp, _) => CreateClient(connectionString, sp.GetRequiredService<HttpPipelineTransport>()));
        }
        return services;
    }

    /// <summary>
    /// One connection pool for every Table client of the process, bounded per storage endpoint. Unbounded
    /// (the default), a burst of activations each reading its row opened a connection per read: 4,700–6,400
    /// connections to one Azurite in a benchmark pass, each a TCP (in Azure, TLS) handshake on both
    /// sides; the server's accept queue overflowed and reads waited seconds for TCP to retry their
    /// connections. Bounded, requests queue for a connection instead.
    /// </summary>
    private static HttpPipelineTransport Transport(TableConnectionOptions options) =>
        new HttpClientTransport(new SocketsHttpHandler { MaxConnectionsPerServer = options.MaxConnectionsPerServer });

    /// <summary>
    /// Each grain storage name keeps its own table, named after it (<c>profiles</c>, <c>identities</c>, ...),
    /// unless its section names one: what each costs shows per table, and one kind of grain is never
    /// scanned past another's rows.
    /// </summary>
    public static void NameTablesAfterStorage(this IConfiguration configuration)
    {
        foreach (var section in configuration.GetSection("Orleans:GrainStorage").GetChildren())
        {
            if (string.Equals(section["ProviderType"], ProviderType, StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(section["TableName"]))
            {
                section["TableName"] = TableNameFor(section.Key);
            }
        }
    }

    /// <summary>
    /// A storage connection string (Azurite's, or an account key), or a service URI such as
    /// <c>https://acct.table.core.windows.net/</c>, reached with <see cref="DefaultAzureCredential"/>
    /// (the apps' managed identity in Azure). Every entity write is counted in <c>o2o.storage.writes</c>,
    /// every read in <c>o2o.storage.reads</c>.
    /// </summary>
    public static TableServiceClient CreateClient(string connectionString, HttpPipelineTransport? transport = null)
    {
        var options = new TableClientOptions();
        if (transport is not null)
        {
            options.Transport = transport;
        }
        options.AddPolicy(new OperationCounter(), HttpPipelinePosition.PerCall);
        return Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new TableServiceClient(uri, new DefaultAzureCredential(), options)
            : new TableServiceClient(connectionString, options);
    }

    /// <summary>A valid table name for a storage name: letters and digits, starting with a letter, 3 to 63 long.</summary>
    public static string TableNameFor(string storageName)
    {
        var letters = new string([.. storageName.Where(char.IsAsciiLetterOrDigit)]);
        var name = letters.Length > 0 && char.IsAsciiLetter(letters[0]) ? letters : "o2o" + letters;
        name = name.PadRight(3, '0');
        return name.Length > 63 ? name[..63] : name;
    }

    /// <summary>Counts entity writes (inserts, updates, deletes) storage accepted and entity reads it answered, tagged with the table.</summary>
    private sealed class OperationCounter : HttpPipelinePolicy
    {
        private static readonly ConcurrentDictionary<string, string> Tables = new(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> TableNames = Tables.GetAlternateLookup<ReadOnlySpan<char>>();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Count(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Count(message);
        }

        private static void Count(HttpMessage message)
        {
            var method = message.Request.Method;
            if (!message.HasResponse || method == RequestMethod.Head)
            {
                return;
            }
            var read = method == RequestMethod.Get;
            // A read that finds no row (404) is still a read; a refused write is no write.
            if (message.Response.IsError && !(read && message.Response.Status == 404))
            {
                return;
            }
            if (TableOf(message) is { } table)
            {
                var tag = new KeyValuePair<string, object?>("storage", table);
                if (read)
                {
                    StorageTelemetry.Reads.Add(1, tag);
                }
                else
                {
                    StorageTelemetry.Writes.Add(1, tag);
                    StorageTelemetry.WriteRequests.Add(1, tag);
                }
            }
        }

        /// <summary>The table an entity request addresses; null for the table list and for transactions, which <see cref="BatchedTableStorage"/> counts.</summary>
        private static string? TableOf(HttpMessage message)
        {
            // Entity paths are /<table> (insert, query) or /<table>(PartitionKey='…',RowKey='…'); /Tables is the table list.
            var path = message.Request.Uri.Path.AsSpan().TrimEnd('/');
            var table = path[(path.LastIndexOf('/') + 1)..];
            var paren = table.IndexOf('(');
            table = paren >= 0 ? table[..paren] : table;
            if (table.IsEmpty || table.Equals("Tables", StringComparison.OrdinalIgnoreCase) || table.Equals("$batch", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            // One string per table for the process, not one per request.
            return TableNames.TryGetValue(table, out var name) ? name : Tables.GetOrAdd(table.ToString(), static t => t);
        }
    }
}

/// <summary>How the silo talks to Table storage (section <c>O2O:Storage:Tables</c>).</summary>
public sealed class TableConnectionOptions
{
    public const string Section = "O2O:Storage:Tables";

    /// <summary>
    /// Connections at most per storage endpoint, shared by every grain storage, clustering and reminders;
    /// each carries one request at a time. 64 keep one Azurite busy and are about what a silo needs to
    /// reach Table storage's per-account target at ~10 ms per operation across a few silos.
    /// </summary>
    [Range(1, 10_000)] public int MaxConnectionsPerServer { get; set; } = 64;
}
