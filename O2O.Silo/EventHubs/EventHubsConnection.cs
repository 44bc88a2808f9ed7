using System.Globalization;
using Confluent.Kafka;

namespace O2O.Silo.EventHubs;

/// <summary>
/// Where the event hub is and how to sign in, from <c>ConnectionStrings:eventhubs</c>. Either an Azure
/// Event Hubs connection string (<c>Endpoint=sb://&lt;ns&gt;.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=&lt;hub&gt;]</c>),
/// spoken to through its Kafka endpoint on port 9093 with SASL PLAIN over TLS, user <c>$ConnectionString</c>
/// and the whole connection string as password; or a plain Kafka bootstrap list (<c>host:port,host:port</c>)
/// for local brokers.
/// </summary>
public sealed record EventHubsConnection
{
    public const string ConnectionName = "eventhubs";
    public const string ConfigurationKey = "ConnectionStrings:" + ConnectionName;
    public const int KafkaPort = 9093;

    /// <summary>The Event Hubs emulator (what the AppHost runs locally) serves Kafka here, without TLS.</summary>
    public const int EmulatorKafkaPort = 9092;

    /// <summary><c>host:port</c> list the Kafka client starts from.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The Event Hubs connection string; null for a plain Kafka bootstrap list.</summary>
    public string? SaslPassword { get; init; }

    /// <summary>The event hub named in the connection string (<c>EntityPath</c>), if any.</summary>
    public string? EntityPath { get; init; }

    public bool IsEventHubs => SaslPassword is not null;

    /// <summary>False only for the local Event Hubs emulator (<c>UseDevelopmentEmulator=true</c>).</summary>
    public bool UseTls { get; init; } = true;

    /// <summary>Parses the value; the exception's message names what is wrong and never repeats the key.</summary>
    public static EventHubsConnection Parse(string? value) =>
        TryParse(value, out var connection, out var error) ? connection! : throw new FormatException(error);

    public static bool TryParse(string? value, out EventHubsConnection? connection, out string? error)
    {
        connection = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"{ConfigurationKey} is empty: give an Event Hubs connection string or a Kafka bootstrap list (host:port,...).";
            return false;
        }
        value = value.Trim();
        return value.Contains('=', StringComparison.Ordinal)
            ? TryParseEventHubs(value, out connection, out error)
            : TryParseBootstrapList(value, out connection, out error);
    }

    /// <summary>Copies address and credentials onto a Kafka client configuration.</summary>
    public void ApplyTo(ClientConfig config)
    {
        config.BootstrapServers = BootstrapServers;
        if (IsEventHubs)
        {
            config.SecurityProtocol = UseTls ? SecurityProtocol.SaslSsl : SecurityProtocol.SaslPlaintext;
            config.SaslMechanism = SaslMechanism.Plain;
            config.SaslUsername = "$ConnectionString";
            config.SaslPassword = SaslPassword;
        }
    }

    private static bool TryParseEventHubs(string value, out EventHubsConnection? connection, out string? error)
    {
        connection = null;
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            index++;
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                // The part itself is not echoed: it could be a misplaced key.
                error = $"{ConfigurationKey}: part {index} is not a Key=Value pair.";
                return false;
            }
            parts[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        if (!parts.TryGetValue("Endpoint", out var endpoint) || endpoint.Length == 0)
        {
            error = $"{ConfigurationKey}: Endpoint is missing (expected Endpoint=sb://<namespace>.servicebus.windows.net/).";
            return false;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "sb" || uri.Host.Length == 0)
        {
            error = $"{ConfigurationKey}: Endpoint '{endpoint}' is not an sb://<namespace>.servicebus.windows.net/ address.";
            return false;
        }
        var hasSignature = parts.TryGetValue("SharedAccessSignature", out var sas) && sas.Length > 0;
        if (!hasSignature)
        {
            if (!parts.TryGetValue("SharedAccessKeyName", out var keyName) || keyName.Length == 0)
            {
                error = $"{ConfigurationKey}: SharedAccessKeyName is missing.";
                return false;
            }
            if (!parts.TryGetValue("SharedAccessKey", out var key) || key.Length == 0)
            {
                error = $"{ConfigurationKey}: SharedAccessKey is missing.";
                return false;
            }
        }
        var emulator = parts.TryGetValue("UseDevelopmentEmulator", out var flag) && bool.TryParse(flag, out var on) && on;
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (emulator ? EmulatorKafkaPort : KafkaPort) : uri.Port;
        connection = new EventHubsConnection
        {
            UseTls = !emulator,
            BootstrapServers = $"{uri.Host}:{port.ToString(CultureInfo.InvariantCulture)}",
            SaslPassword = value,
            EntityPath = parts.TryGetValue("EntityPath", out var hub) && hub.Length > 0 ? hub : null,
        };
        error = null;
        return true;
    }

    private static bool TryParseBootstrapList(string value, out EventHubsConnection? connection, out string? error)
    {
        connection = null;
        var servers = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (servers.Length == 0)
        {
            error = $"{ConfigurationKey}: the bootstrap list names no server.";
            return false;
        }
        foreach (var server in servers)
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                error = $"{ConfigurationKey}: '{server}' is not host:port (port 1-65535).";
                return false;
            }
            if (server[..colon].Any(c => char.IsWhiteSpace(c) || c == '/'))
            {
                error = $"{ConfigurationKey}: '{server}' is not a host name.";
                return false;
            }
        }
        connection = new EventHubsConnection { BootstrapServers = string.Join(',', servers) };
        error = null;
        return true;
    }
}
