using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace O2O.Silo.Hosting;

/// <summary>
/// Orleans' Redis clustering and reminder providers look up a keyed <see cref="IConnectionMultiplexer"/>
/// under their <c>ServiceKey</c>, which Aspire's Redis client integration would register. That
/// integration is not used here, so this registers one connection per service key from
/// <c>ConnectionStrings:&lt;key&gt;</c>, the same value the AppHost injects.
/// </summary>
public static class RedisConnections
{
    private static readonly string[] Sections = ["Orleans:Clustering", "Orleans:Reminders"];

    /// <summary>Service keys of the Orleans providers configured with <c>ProviderType=Redis</c> and a connection string.</summary>
    public static IEnumerable<string> RedisServiceKeys(this IConfiguration configuration) => Sections
        .Select(configuration.GetSection)
        .Where(s => string.Equals(s["ProviderType"], "Redis", StringComparison.OrdinalIgnoreCase))
        .Select(s => s["ServiceKey"])
        .OfType<string>()
        .Where(key => !string.IsNullOrEmpty(configuration.GetConnectionString(key)))
        .Distinct(StringComparer.Ordinal);

    public static IServiceCollection AddKeyedRedisConnections(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var key in configuration.RedisServiceKeys())
        {
            var connectionString = configuration.GetConnectionString(key)!;
            services.TryAddKeyedSingleton<IConnectionMultiplexer>(key, (_, _) =>
            {
                var options = ConfigurationOptions.Parse(connectionString);
                // Redis may come up after the silo (or blip); keep retrying instead of failing the host.
                options.AbortOnConnectFail = false;
                return ConnectionMultiplexer.Connect(options);
            });
        }
        return services;
    }
}
